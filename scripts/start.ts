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
  wholeNumber,
  type LessonInfo,
  type LessonOptions,
  type TargetOptions,
} from "../shared/options.js";
import { say, table } from "../shared/output.js";
import { runScript } from "../shared/run.js";

export const workshop = {
  usage: "npm start --",
  about: "Run lessons 01 to 05 in order on one target and print a table of what each did.",
  flags: defineFlags({
    shards: {
      type: "string",
      value: "N",
      default: "2",
      help: "shards for the stream lesson 01 makes",
      parse: (n) => wholeNumber(n, "--shards"),
    },
    count: {
      type: "string",
      value: "N",
      default: "1000",
      help: "records lesson 02 puts",
      parse: (n) => wholeNumber(n, "--count"),
    },
    "lambda-count": {
      type: "string",
      value: "N",
      default: "100",
      help: "records lesson 05 puts for the function",
      parse: (n) => wholeNumber(n, "--lambda-count"),
    },
  }),
};

/** A lesson as npm start sees it: its flags, its main(), and the one figure it is about. */
interface Step {
  lesson: string;
  module: { lesson: LessonInfo<any>; main: (options: any) => Promise<any> };
  /** The lesson's own flags, from what npm start was given and what earlier lessons returned. */
  args: (given: Record<string, any>, earlier: Record<string, any>) => string[];
  figure: (summary: any) => string;
}

const STEPS: Step[] = [
  {
    lesson: "01-make-a-stream",
    module: makeStream,
    args: (given) => ["--shards", String(given.shards)],
    figure: (s) => `${s.streamArn} (${s.shardIds.length} shards)`,
  },
  {
    lesson: "02-produce-data",
    module: produceData,
    args: (given) => ["--count", String(given.count)],
    figure: (s) => `${s.sent} records sent, ${s.recordsPerSecond}/s`,
  },
  {
    lesson: "03-basic-consumer",
    module: basicConsumer,
    args: () => [],
    figure: (s) => `${s.unique} unique read of ${s.records}`,
  },
  {
    lesson: "04-kcl-consumer",
    module: kclConsumer,
    // The KCL reads the same stream from its start, so it should see every record lesson 03 saw.
    args: (_, earlier) => ["--expect", String(earlier["03-basic-consumer"].unique)],
    figure: (s) => `${s.unique} unique by the KCL over ${s.leases} lease(s)`,
  },
  {
    lesson: "05-lambda-function",
    module: lambdaFunction,
    args: (given) => ["--count", String(given["lambda-count"])],
    figure: (s) => `${s.unique} unique by Lambda, median ${s.latencyMs} ms, p95 ${s.latencyP95Ms} ms`,
  },
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
  const summaries: Record<string, any> = {};
  const rows: LessonRow[] = STEPS.map((step) => ({ lesson: step.lesson, status: "not run", seconds: 0, figure: "" }));

  for (const [i, step] of STEPS.entries()) {
    const row = rows[i]!;
    say();
    say(`━━ Lesson ${step.lesson} ${"━".repeat(Math.max(3, 50 - step.lesson.length))}`);
    const stepStarted = performance.now();
    try {
      const own = parseOptions(step.module.lesson, step.args(given, summaries), {});
      // The target, stream and region are npm start's; a "yes" given to one lesson's cost question holds for the rest.
      const options = { ...own, ...pickTarget(target) };
      summaries[step.lesson] = await step.module.main(options);
      target.yes ||= options.yes;
      row.status = "ok";
      row.figure = step.figure(summaries[step.lesson]);
    } catch (error) {
      row.status = "failed";
      row.figure = explain(error, { target: target.target, stream: target.stream, endpoint: target.endpoint }).message;
      if (target.debug) process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
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
    process.stderr.write(`✗ ${failed.lesson}: ${failed.figure}\n`);
    process.exitCode = 1;
  } else {
    say();
    say("Next: read each lesson's questions.md, and when you are done: npm run cleanup");
  }
  if (options.json)
    process.stdout.write(
      `${JSON.stringify({ ok: run.ok, target: run.target, seconds: run.seconds, lessons: run.lessons })}\n`,
    );
});
