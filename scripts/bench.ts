import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { closeClients } from "../shared/clients.js";
import { freePort, restartLayer, startEmulator, stopEmulator, type EmulatorPaths } from "../local/emulator.js";
import { installEmulator } from "../local/install.js";
import { KCL_WORK_DIR } from "../04-kcl-consumer/kcl-daemon.js";
import { WorkshopError } from "../shared/errors.js";
import { defineFlags, wholeNumberFlag, type TargetOptions } from "../shared/options.js";
import { printJson, problem, report } from "../shared/output.js";
import { runScript } from "../shared/run.js";
import { percentiles } from "../shared/records.js";
import {
  batchedThenSingle,
  durableAppendUs,
  kclLatency,
  lambdaLatency,
  localPutMs,
  mappingFigures,
  reshardMs,
  runWorkshop,
  steadyBatchedRate,
  viewLatency,
} from "./bench-measures.js";

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
  localKinesisRawRps: { goal: 8000, better: "higher" },
  localPutMs: { goal: 2, better: "lower" },
  durableAppendUs: { goal: undefined, better: "lower" },
  reshardMs: { goal: undefined, better: "lower" },
  esmPollMs: { goal: 1000, better: "near" },
  poisonDeliveries: { goal: 3, better: "higher" },
  lambdaMedianMs: { goal: 1500, better: "lower" },
  lambdaP95Ms: { goal: undefined, better: "lower" },
  kclMedianMs: { goal: 2000, better: "lower" },
  kclP95Ms: { goal: undefined, better: "lower" },
  viewLoadMs: { goal: 1000, better: "lower" },
  viewLagMs: { goal: 1500, better: "lower" },
} as const;
type Figure = keyof typeof GOALS;

const info = (line: string) => problem(`… ${line}`); // on stderr even when the lessons are quiet

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
    info("the local Kinesis: PutRecord's round trip, a record's append to disk, and UpdateShardCount 2 → 4");
    const putMs = await localPutMs(target, samples);
    const append = durableAppendUs();
    const reshard = await reshardMs(target);

    info(`Lambda: ${samples} records put one at a time`);
    const lambda = percentiles(await lambdaLatency(target, samples));
    info("Lambda's event source mapping: the gap between polls, and lesson 05 --poison throw --count 8");
    const mapping = await mappingFigures(target);
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
      localKinesisRawRps: raw.batched.recordsPerSecond,
      localPutMs: putMs,
      durableAppendUs: append.disk,
      reshardMs: reshard,
      ...viewFigures,
      ...mapping,
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
      memoryAppendUs: append.memory,
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
    const meets = (v: number, g: number) =>
      better === "lower" ? v <= g : better === "higher" ? v >= g : Math.abs(v - g) <= g / 4; // "near": within 25 %
    const met = goal === undefined || value === undefined ? " " : meets(value, goal) ? "✓" : "✗";
    const sign = { lower: "≤", higher: "≥", near: "≈" }[better];
    const goalText = goal === undefined ? "" : `${sign} ${goal}`;
    return `  ${met} ${name.padEnd(17)} ${String(value ?? "skipped").padStart(8)}   ${goalText}`;
  });
  const out = [
    "",
    `Workshop benchmark on ${result.machine}`,
    ...rows,
    `    batched ${result.batchedRecordsPerSecond} records/s, single ${result.singleRecordsPerSecond} records/s (2 shards, limits on)`,
    `    limits off: batched ${result.rawBatchedRecordsPerSecond} records/s, single ${result.rawSingleRecordsPerSecond} records/s`,
    `    4 shards ${result.fourShardRecordsPerSecond} records/s, 1 shard ${result.oneShardRecordsPerSecond} records/s, ${result.recordsLost} lost`,
    `    a record's append: ${result.durableAppendUs} µs on disk, ${result.memoryAppendUs} µs in memory only`,
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
