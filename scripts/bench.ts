// npm run bench: measure the workshop's own paths on a fresh emulator of its own.
//
//   npm run bench [-- --json]
//
// Prints a table of figures, and with --json one JSON line last:
//   emulatorStartMs   cold start of MiniStack (already installed) to a healthy answer
//   workshopSeconds   the whole `npm start`, as a student runs it
//   batchVsSingle     records/s of lesson 02 batched ÷ records/s of lesson 02 --single (10,000 each, 2 shards, limits on)
//   rawBatchVsSingle  the same with the limits off: the emulator's raw speed
//   writeLimitShare   batched records/s ÷ the stream's limit (shards × 1,000) on 4 shards, after a warm-up
//   shardScaling      batched records/s on 4 shards ÷ on 1 shard, in the same run
//   throttledEntries  PutRecords entries the shards refused (and lesson 02 sent again) in those two runs
//   limitsOverheadMs  median PutRecord latency through the limits layer minus straight to MiniStack
//   viewLoadMs        npm run view's page in headless Chromium: from opening it to the first snapshot drawn
//   viewLagMs         median time from a PutRecord to the page showing it (one record at a time)
//   lambdaMedianMs    put → handler, records put one at a time (lambdaP95Ms too)
//   kclMedianMs       put → processRecords with the KCL daemon running (kclP95Ms too)
// It never touches the student's emulator on 4599 or its state.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { PutRecordCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import * as makeStream from "../01-make-a-stream/main.js";
import * as produceData from "../02-produce-data/main.js";
import * as kclConsumer from "../04-kcl-consumer/main.js";
import { followSeenLines } from "../05-lambda-function/logs.js";
import { resourceNames } from "../05-lambda-function/names.js";
import { closeClients, kinesisClient, logsClient } from "../shared/clients.js";
import {
  freePort,
  layerStatus,
  restartLayer,
  startEmulator,
  stopEmulator,
  type EmulatorPaths,
} from "../local/emulator.js";
import { installEmulator } from "../local/install.js";
import { PROJECT_ROOT } from "../shared/paths.js";
import { followJsonLines, KCL_WORK_DIR } from "../04-kcl-consumer/kcl-daemon.js";
import { WorkshopError } from "../shared/errors.js";
import { defineFlags, parseOptions, wholeNumberFlag, type TargetOptions } from "../shared/options.js";
import { encodeRecord, newRunId, tallyStream } from "../shared/records.js";
import { printJson, problem, report } from "../shared/output.js";
import { runScript } from "../shared/run.js";
import type { WorkshopRun } from "./start.js";
import { pollUntil } from "../shared/wait.js";
import { percentiles } from "../shared/records.js";
import type { LayerStats } from "../local/stats.js";
import { viewClients } from "../view/clients.js";
import { ViewCollector } from "../view/collect.js";
import { startViewServer } from "../view/server.js";
import { CHROMIUM, launchBrowser } from "../view/browser.js";

export const bench = {
  usage: "npm run bench --",
  about:
    "Measure emulator start, the whole workshop, batched vs single puts, and Lambda and KCL latency on a private emulator.",
  flags: defineFlags({
    records: wholeNumberFlag("records for the batched and the single put runs", { default: 10000 }),
    samples: wholeNumberFlag("records put one at a time for each latency figure (50 or more)", {
      default: 100,
      min: 50,
    }),
  }),
};

/** The targets the issue sets for a 2-core machine; the table marks each figure against its own. */
const GOALS = {
  emulatorStartMs: { goal: 1000, better: "lower" },
  workshopSeconds: { goal: 60, better: "lower" },
  batchVsSingle: { goal: undefined, better: "higher" },
  rawBatchVsSingle: { goal: 20, better: "higher" },
  writeLimitShare: { goal: 0.9, better: "higher" },
  shardScaling: { goal: 3.5, better: "higher" },
  throttledEntries: { goal: undefined, better: "lower" },
  limitsOverheadMs: { goal: 2, better: "lower" },
  lambdaMedianMs: { goal: 1500, better: "lower" },
  lambdaP95Ms: { goal: undefined, better: "lower" },
  kclMedianMs: { goal: 2000, better: "lower" },
  kclP95Ms: { goal: undefined, better: "lower" },
  viewLoadMs: { goal: 1000, better: "lower" },
  viewLagMs: { goal: 1500, better: "lower" },
} as const;
type Figure = keyof typeof GOALS;

const info = (line: string) => problem(`… ${line}`); // on stderr even when the lessons are quiet

/** Run `npm start` (scripts/start.ts) as a student does; returns its wall-clock seconds and its --json table. */
function runWorkshop(endpoint: string, stream: string): Promise<{ seconds: number; table: WorkshopRun }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // Node itself with tsx, from the project folder: no .bin shim, and no path that a space could split.
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join("scripts", "start.ts"), "--endpoint", endpoint, "--stream", stream, "--json"],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, WORKSHOP_QUIET: "1" },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.once("error", reject);
    child.once("close", (code) => {
      let table: WorkshopRun | undefined;
      try {
        table = JSON.parse(stdout.trim().split("\n").at(-1) || "null");
      } catch {
        table = undefined;
      }
      if (code !== 0 || !table?.ok)
        return reject(new Error(`npm start failed on the bench emulator: ${JSON.stringify(table?.lessons ?? stdout)}`));
      resolve({ seconds: (performance.now() - started) / 1000, table });
    });
  });
}

/** Put `count` records one at a time, `gapMs` apart, each stamped with the moment it is put. */
async function trickle(
  kinesis: KinesisClient,
  stream: string,
  runId: string,
  count: number,
  gapMs = 20,
): Promise<void> {
  for (let index = 0; index < count; index++) {
    const Data = encodeRecord({ runId, index, sentAt: Date.now(), body: "bench" });
    await kinesis.send(new PutRecordCommand({ StreamName: stream, Data, PartitionKey: `bench-${index}` }));
    await sleep(gapMs);
  }
}

/** Lambda: put records one by one while the function's mapping is live; read the handler's latencies from its log. */
async function lambdaLatency(target: TargetOptions, samples: number): Promise<number[]> {
  const runId = newRunId();
  await trickle(kinesisClient(target), target.stream, runId, samples);
  const { latencies } = await followSeenLines(
    logsClient(target),
    resourceNames(target.stream).logGroupName,
    runId,
    samples,
    120_000,
  );
  return latencies;
}

/** KCL: run lesson 04 in this process; once it processes a first record, put records one by one and time each. */
async function kclLatency(target: TargetOptions, samples: number): Promise<number[]> {
  const kinesis = kinesisClient(target);
  const already = (await tallyStream(kinesis, target.stream)).unique;
  const options = {
    ...parseOptions(kclConsumer.lesson, ["--expect", String(already + 1 + samples), "--timeout", "240"], {}),
    ...target,
  };
  const reports = followJsonLines<kclConsumer.ProcessedRecord>(
    join(KCL_WORK_DIR, `${kclConsumer.applicationName(options)}.processed.jsonl`),
  );
  const consumer = kclConsumer.main(options);
  let failed: unknown;
  consumer.catch((error) => (failed = error));

  // One warm-up record: when it has been processed, the worker holds its leases and is polling.
  const warmUp = newRunId();
  await trickle(kinesis, target.stream, warmUp, 1);
  const seen: kclConsumer.ProcessedRecord[] = [];
  await pollUntil(
    "the KCL worker to process a first record",
    async () => {
      if (failed) throw failed;
      seen.push(...reports());
      return seen.some((r) => r.runId === warmUp) ? true : undefined;
    },
    { timeoutMs: 240_000, intervalMs: 100 },
  );

  const runId = newRunId();
  await trickle(kinesis, target.stream, runId, samples);
  await consumer;
  seen.push(...reports());
  return seen.filter((r) => r.runId === runId).map((r) => r.processedAt - r.sentAt);
}

/** Lesson 01 on `where`: a stream of `shards` shards. */
const makeStreamOn = (where: TargetOptions, shards: number) =>
  makeStream.main({ ...parseOptions(makeStream.lesson, ["--shards", String(shards)], {}), ...where });

/** Lesson 02 on `where`: `count` records, batched or with --single. */
const putOn = (where: TargetOptions, count: number, ...more: string[]) =>
  produceData.main({ ...parseOptions(produceData.lesson, ["--count", String(count), ...more], {}), ...where });

/** Lesson 02 batched, then --single, on a new 2-shard stream: records/s of each. */
async function batchedThenSingle(where: TargetOptions, records: number) {
  await makeStreamOn(where, 2);
  const batched = await putOn(where, records);
  const single = await putOn(where, records, "--single");
  return { batched, single };
}

/** Lesson 02's batched records/s on a new stream of `shards` shards, after a warm-up that spends the shards' burst. */
async function steadyBatchedRate(target: TargetOptions, stream: string, shards: number, records: number) {
  const where = { ...target, stream };
  await makeStreamOn(where, shards);
  await putOn(where, 500 * shards);
  const put = await putOn(where, records);
  const stored = (await tallyStream(kinesisClient(where), stream)).uniqueFor(put.runId);
  return { ...put, lost: records - stored };
}

/** Median latency of `samples` PutRecord calls, one after another, to an endpoint. */
async function putLatency(endpoint: string, stream: string, samples: number): Promise<number> {
  const kinesis = kinesisClient({ target: "local", region: "us-east-1", endpoint, debug: false });
  const times: number[] = [];
  for (let index = 0; index < samples; index++) {
    const started = performance.now();
    await kinesis.send(
      new PutRecordCommand({
        StreamName: stream,
        Data: encodeRecord({ runId: "latency", index, sentAt: Date.now() }),
        PartitionKey: `k${index}`,
      }),
    );
    times.push(performance.now() - started);
  }
  return percentiles(times).median;
}

/** What the limits layer adds to a request: PutRecord through it, and straight to MiniStack behind it, in turns. */
async function limitsOverhead(target: TargetOptions, paths: EmulatorPaths, samples: number): Promise<number> {
  const stream = "bench-latency";
  await makeStreamOn({ ...target, stream }, 4);
  const backend = `http://127.0.0.1:${(await layerStatus(paths.port))!.backendPort}`;
  const through: number[] = [];
  const direct: number[] = [];
  for (let round = 0; round < 4; round++) {
    through.push(await putLatency(target.endpoint!, stream, samples));
    direct.push(await putLatency(backend, stream, samples));
  }
  return Math.round((percentiles(through).median - percentiles(direct).median) * 100) / 100;
}

/** npm run view in headless Chromium: how long the page takes to show its first snapshot, and a put to show on it. */
async function viewLatency(
  target: TargetOptions,
  samples: number,
): Promise<{ viewLoadMs: number; viewLagMs: number } | undefined> {
  if (!existsSync(CHROMIUM)) {
    const why = `the live-view figures need Chromium at ${CHROMIUM} (apt-get install chromium, or set WORKSHOP_CHROMIUM)`;
    if (process.env.WORKSHOP_REQUIRE_TOOLS === "1") throw new WorkshopError(why);
    problem(`  – skipped: ${why}`);
    return undefined;
  }
  const where = { ...target, stream: "bench-view" };
  await makeStreamOn(where, 1);
  const layerStats = async () => (await (await fetch(`${target.endpoint}/_workshop/stats`)).json()) as LayerStats;
  const collector = new ViewCollector(where, viewClients(where), layerStats);
  const view = await startViewServer(0, () => collector.snapshot(), { announce: false });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const opened = performance.now();
    await page.goto(view.url);
    await page.waitForSelector("body[data-updated]");
    const viewLoadMs = Math.round(performance.now() - opened);

    const kinesis = kinesisClient(where);
    const lags: number[] = [];
    for (let index = 1; index <= samples; index++) {
      const put = performance.now();
      await kinesis.send(
        new PutRecordCommand({
          StreamName: where.stream,
          Data: encodeRecord({ runId: "view", index, sentAt: Date.now() }),
          PartitionKey: `v${index}`,
        }),
      );
      await page.waitForFunction(
        (n) => Number(document.querySelector("[data-shard-total]")?.getAttribute("data-value")) >= n,
        index,
        { polling: 20, timeout: 10_000 },
      );
      lags.push(performance.now() - put);
      await sleep(137); // off the page's one-second beat, so the samples spread over it
    }
    return { viewLoadMs, viewLagMs: Math.round(percentiles(lags).median) };
  } finally {
    await browser.close();
    await view.close();
  }
}

export async function runBench(
  records: number,
  samples: number,
): Promise<Partial<Record<Figure, number>> & Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), "workshop-bench-"));
  const paths: EmulatorPaths = {
    port: await freePort(),
    stateDir: join(dir, "state"),
    pidFile: join(dir, "emulator.pid"),
    logFile: join(dir, "emulator.log"),
  };
  installEmulator(); // installing is not starting: only the start is timed
  process.env.WORKSHOP_QUIET = "1"; // the lessons run below print nothing; the bench prints its table
  try {
    info(`starting a private MiniStack on 127.0.0.1:${paths.port}`);
    const startedAt = performance.now();
    const emulator = await startEmulator(paths);
    const emulatorStartMs = Math.round(performance.now() - startedAt);
    const stream = "bench-stream";
    const target: TargetOptions = {
      target: "local",
      stream,
      region: "us-east-1",
      endpoint: emulator.endpoint,
      json: false,
      debug: false,
      yes: false,
    };

    info("npm start: lessons 01 → 05");
    const workshop = await runWorkshop(emulator.endpoint, stream);

    info(`lesson 02: ${records} records batched, then ${records} one by one (--single)`);
    const { batched, single } = await batchedThenSingle({ ...target, stream: "bench-puts" }, records);

    info(`shard limits: ${records} records batched into 4 shards, then into 1 shard`);
    const four = await steadyBatchedRate(target, "bench-four", 4, records);
    const one = await steadyBatchedRate(target, "bench-one", 1, Math.max(1000, Math.round(records / 4)));
    info("limits layer: PutRecord latency through it and straight to MiniStack");
    const limitsOverheadMs = await limitsOverhead(target, paths, samples);

    info(`Lambda: ${samples} records put one at a time`);
    const lambda = percentiles(await lambdaLatency(target, samples));
    info(`KCL: ${samples} records put one at a time while the worker runs`);
    const kcl = percentiles(await kclLatency(target, samples));

    info(`live view: page load, and put → shown for ${Math.min(samples, 30)} records in headless Chromium`);
    const viewFigures = await viewLatency(target, Math.min(samples, 30));

    info(`limits off: lesson 02 again, ${records} records batched and one by one`);
    await restartLayer(paths, false);
    const raw = await batchedThenSingle({ ...target, stream: "bench-raw" }, records);
    if (four.lost || one.lost) throw new WorkshopError(`the shard-limit runs lost ${four.lost + one.lost} record(s)`);

    return {
      emulatorStartMs,
      workshopSeconds: Math.round(workshop.seconds * 10) / 10,
      batchVsSingle: Math.round((batched.recordsPerSecond / single.recordsPerSecond) * 10) / 10,
      rawBatchVsSingle: Math.round((raw.batched.recordsPerSecond / raw.single.recordsPerSecond) * 10) / 10,
      writeLimitShare: Math.round((four.recordsPerSecond / four.writeLimit) * 100) / 100,
      shardScaling: Math.round((four.recordsPerSecond / one.recordsPerSecond) * 100) / 100,
      throttledEntries: four.throttled + one.throttled,
      limitsOverheadMs,
      ...viewFigures,
      lambdaMedianMs: lambda.median,
      lambdaP95Ms: lambda.p95,
      kclMedianMs: kcl.median,
      kclP95Ms: kcl.p95,
      batchedRecordsPerSecond: batched.recordsPerSecond,
      singleRecordsPerSecond: single.recordsPerSecond,
      rawBatchedRecordsPerSecond: raw.batched.recordsPerSecond,
      rawSingleRecordsPerSecond: raw.single.recordsPerSecond,
      fourShardRecordsPerSecond: four.recordsPerSecond,
      oneShardRecordsPerSecond: one.recordsPerSecond,
      recordsLost: four.lost + one.lost,
      workshopLessonSeconds: Object.fromEntries(
        workshop.table.lessons.map((l: { lesson: string; seconds: number }) => [l.lesson, l.seconds]),
      ),
      machine: `${cpus().length} cores, ${cpus()[0]?.model.trim() ?? "unknown CPU"}, Node ${process.versions.node}`,
    };
  } finally {
    closeClients();
    await stopEmulator(paths);
    rmSync(dir, { recursive: true, force: true });
    // Lesson 04's files for the bench's application went with its emulator.
    for (const file of existsSync(KCL_WORK_DIR) ? readdirSync(KCL_WORK_DIR) : [])
      if (file.startsWith("workshop-kcl-local-bench-stream.")) rmSync(join(KCL_WORK_DIR, file));
  }
}

function printTable(result: Record<string, unknown>): void {
  const rows = (Object.keys(GOALS) as Figure[]).map((name) => {
    const { goal, better } = GOALS[name];
    const value = result[name] as number | undefined;
    const met =
      goal === undefined || value === undefined
        ? " "
        : (better === "lower" ? value <= goal : value >= goal)
          ? "✓"
          : "✗";
    const goalText = goal === undefined ? "" : `${better === "lower" ? "≤" : "≥"} ${goal}`;
    return `  ${met} ${name.padEnd(17)} ${String(value ?? "skipped").padStart(8)}   ${goalText}`;
  });
  const out = [
    "",
    `Workshop benchmark on ${result.machine}`,
    ...rows,
    `    batched ${result.batchedRecordsPerSecond} records/s, single ${result.singleRecordsPerSecond} records/s (2 shards, limits on)`,
    `    limits off: batched ${result.rawBatchedRecordsPerSecond} records/s, single ${result.rawSingleRecordsPerSecond} records/s`,
    `    4 shards ${result.fourShardRecordsPerSecond} records/s, 1 shard ${result.oneShardRecordsPerSecond} records/s, ${result.recordsLost} lost`,
    `    npm start by lesson (s): ${JSON.stringify(result.workshopLessonSeconds)}`,
  ];
  for (const line of out) report(line);
}

runScript(
  import.meta.url,
  bench,
  async (options) => {
    const misplaced = process.argv.slice(2).find((arg) => /^--(target|endpoint|stream|region|yes)\b/.test(arg));
    if (misplaced)
      throw new WorkshopError(
        `npm run bench always runs on a private local emulator of its own: drop ${misplaced.split("=")[0]}`,
      );
    const result = await runBench(options.records, options.samples);
    printTable(result);
    if (options.json) printJson(result);
  },
  { prepare: false }, // it starts an emulator of its own
);
