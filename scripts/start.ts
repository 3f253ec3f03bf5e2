// npm start: the whole workshop in one go, lessons 01 → 05 in order, on the chosen target.
//
//   npm start [-- --target local|localstack|aws] [--shards 2] [--count 1000] [--json]
//
// Each lesson runs exactly as `npm run lesson:0N` would run it, with a header before it.
// The run stops at the first lesson that fails, with that lesson's one-line error, and
// ends with a table: lesson, ok/failed, seconds, and the figure that lesson is about.
import { performance } from "node:perf_hooks";
import * as makeStream from "../01-make-a-stream/main.js";
import * as produceData from "../02-produce-data/main.js";
import * as basicConsumer from "../03-basic-consumer/main.js";
import * as kclConsumer from "../04-kcl-consumer/main.js";
import * as lambdaFunction from "../05-lambda-function/main.js";
import { explain } from "../shared/errors.js";
import {
  defineFlags,
  parseOptions,
  wholeNumberFlag,
  type Flags,
  type LessonInfo,
  type LessonOptions,
  type TargetOptions,
} from "../shared/options.js";
import { printJson, problem, say, table } from "../shared/output.js";
import { runScript } from "../shared/run.js";

export const workshop = {
  usage: "npm start --",
  about: "Run lessons 01 to 05 in order on one target and print a table of what each did.",
  flags: defineFlags({
    shards: wholeNumberFlag("shards for the stream lesson 01 makes", { default: 2 }),
    count: wholeNumberFlag("records lesson 02 puts", { default: 1000 }),
    "lambda-count": wholeNumberFlag("records lesson 05 puts for the function", { default: 100 }),
  }),
};

/** What each lesson returned, by lesson: a later lesson's flags may come from an earlier one's summary. */
type Summaries = Record<string, Record<string, unknown>>;

/** A lesson as npm start sees it: how to run it on npm start's target, and the one figure it is about. */
interface Step {
  lesson: string;
  run(given: WorkshopOptions, earlier: Summaries): Promise<{ summary: Record<string, unknown>; figure: string }>;
}

/**
 * One lesson of npm start: its flags come from `args` (npm start's own, and earlier lessons'
 * summaries); the target, stream and region are npm start's. A "yes" given to one lesson's
 * cost question holds for the rest.
 */
function step<F extends Flags, S extends object>(
  lesson: string,
  module: { lesson: LessonInfo<F>; main: (options: LessonOptions<F>) => Promise<S> },
  args: (given: WorkshopOptions, earlier: Summaries) => string[],
  figure: (summary: S) => string,
): Step {
  return {
    lesson,
    async run(given, earlier) {
      const options = { ...parseOptions(module.lesson, args(given, earlier), {}), ...pickTarget(given) };
      const summary = await module.main(options);
      given.yes ||= options.yes;
      return { summary: summary as Record<string, unknown>, figure: figure(summary) };
    },
  };
}

const STEPS: Step[] = [
  step(
    "01-make-a-stream",
    makeStream,
    (given) => ["--shards", String(given.shards)],
    (s) => `${s.streamArn} (${s.shardIds?.length} shards)`,
  ),
  step(
    "02-produce-data",
    produceData,
    (given) => ["--count", String(given.count)],
    (s) => `${s.sent} records sent, ${s.recordsPerSecond}/s`,
  ),
  step(
    "03-basic-consumer",
    basicConsumer,
    () => [],
    (s) => `${s.unique} unique read of ${s.records}`,
  ),
  // The KCL reads the same stream from its start, so it should see every record lesson 03 saw.
  step(
    "04-kcl-consumer",
    kclConsumer,
    (_, earlier) => ["--expect", String(earlier["03-basic-consumer"]?.unique)],
    (s) => `${s.unique} unique by the KCL over ${s.leases} lease(s)`,
  ),
  step(
    "05-lambda-function",
    lambdaFunction,
    (given) => ["--count", String(given["lambda-count"])],
    (s) => `${s.unique} unique by Lambda, median ${s.latencyMs} ms, p95 ${s.latencyP95Ms} ms`,
  ),
];

export interface LessonRow {
  lesson: string;
  status: "ok" | "failed" | "not run";
  seconds: number;
  figure: string;
}

export interface WorkshopRun {
  ok: boolean;
  target: string;
  seconds: number;
  lessons: LessonRow[];
  /** Each lesson's own summary, as its --json would print it. */
  summaries: Record<string, object>;
}

/** The options every lesson shares, taken from npm start's own (--json is npm start's, not the lessons'). */
const pickTarget = ({ target, stream, region, endpoint, debug, yes }: TargetOptions) => ({
  target,
  stream,
  region,
  endpoint,
  debug,
  yes,
  json: false,
});

const secondsSince = (start: number) => Math.round((performance.now() - start) / 100) / 10;

/** Run the five lessons on a prepared target. Never throws: a failure ends the run and is in the result. */
export async function runWorkshop(given: WorkshopOptions): Promise<WorkshopRun> {
  const started = performance.now();
  const target: TargetOptions = given;
  const summaries: Summaries = {};
  const rows: LessonRow[] = STEPS.map((step) => ({ lesson: step.lesson, status: "not run", seconds: 0, figure: "" }));

  for (const [i, step] of STEPS.entries()) {
    const row = rows[i]!;
    say();
    say(`━━ Lesson ${step.lesson} ${"━".repeat(Math.max(3, 50 - step.lesson.length))}`);
    const stepStarted = performance.now();
    try {
      const { summary, figure } = await step.run(given, summaries);
      summaries[step.lesson] = summary;
      row.status = "ok";
      row.figure = figure;
    } catch (error) {
      row.status = "failed";
      row.figure = explain(error, { target: target.target, stream: target.stream, endpoint: target.endpoint }).message;
      if (target.debug) problem(`${(error as Error)?.stack ?? error}`);
    } finally {
      row.seconds = secondsSince(stepStarted);
    }
    if (row.status === "failed") break;
  }
  return {
    ok: rows.every((r) => r.status === "ok"),
    target: target.target,
    seconds: secondsSince(started),
    lessons: rows,
    summaries,
  };
}

export type WorkshopOptions = LessonOptions<typeof workshop.flags>;

runScript(import.meta.url, workshop, async (options) => {
  const run = await runWorkshop(options);

  say();
  say(
    `━━ The workshop on ${run.target}: ${run.ok ? "all five lessons passed" : "stopped at a failure"} in ${run.seconds} s ━━`,
  );
  table(
    run.lessons.map((r) => ({
      lesson: r.lesson,
      status: r.status === "ok" ? "✓ ok" : r.status === "failed" ? "✗ failed" : "· not run",
      seconds: r.seconds.toFixed(1),
      "what it did": r.figure,
    })),
  );
  const failed = run.lessons.find((r) => r.status === "failed");
  if (failed) {
    problem(`✗ ${failed.lesson}: ${failed.figure}`);
    process.exitCode = 1;
  } else {
    say();
    say("Next: read each lesson's questions.md, and when you are done: npm run cleanup");
  }
  if (options.json) printJson({ ok: run.ok, target: run.target, seconds: run.seconds, lessons: run.lessons });
});
