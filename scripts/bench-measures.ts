// What npm run bench measures, one function a figure: the bench (bench.ts) runs them on
// its private emulator and prints them against their goals.
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { DescribeStreamSummaryCommand, KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { UpdateShardCountCommand } from "@aws-sdk/client-kinesis";
import * as makeStream from "../01-make-a-stream/main.js";
import * as produceData from "../02-produce-data/main.js";
import * as kclConsumer from "../04-kcl-consumer/main.js";
import * as lambdaFunction from "../05-lambda-function/main.js";
import { followSeenLines } from "../05-lambda-function/logs.js";
import { resourceNames } from "../05-lambda-function/names.js";
import { clientFor } from "../shared/clients.js";
import { PROJECT_ROOT } from "../shared/paths.js";
import { applicationName, followJsonLines, KCL_WORK_DIR, type ProcessedRecord } from "../04-kcl-consumer/kcl-daemon.js";
import { WorkshopError } from "../shared/errors.js";
import { parseOptions, type TargetOptions } from "../shared/options.js";
import { encodeRecord, newRunId, tallyStream } from "../shared/records.js";
import { problem } from "../shared/output.js";
import type { WorkshopRun } from "./start.js";
import { pollUntil } from "../shared/wait.js";
import { percentiles } from "../shared/records.js";
import type { LayerStats } from "../local/stats.js";
import { StreamOperations } from "../local/kinesis-engine.js";
import { KinesisStore } from "../local/kinesis-store.js";
import { viewClients } from "../view/clients.js";
import { ViewCollector } from "../view/collect.js";
import { startViewServer } from "../view/server.js";
import { CHROMIUM, launchBrowser } from "../view/browser.js";

/** Run `npm start` (scripts/start.ts) as a student does; returns its wall-clock seconds and its --json table. */
export function runWorkshop(endpoint: string, stream: string): Promise<{ seconds: number; table: WorkshopRun }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // Node itself with tsx, from the project folder: no .bin shim, and no path that a space could split.
    const args = ["--import", "tsx", join("scripts", "start.ts"), "--endpoint", endpoint, "--stream", stream, "--json"];
    const env = { ...process.env, WORKSHOP_QUIET: "1" };
    const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env, stdio: ["ignore", "pipe", "inherit"] });
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

/**
 * The bench's one PutRecord loop: `count` records one at a time, each stamped with the moment
 * it is put. `after` runs after each put (a pause, a wait for the page), given when the put started.
 */
async function putOneByOne(
  kinesis: KinesisClient,
  stream: string,
  runId: string,
  count: number,
  after: (index: number, startedAt: number) => Promise<unknown> = () => sleep(20),
): Promise<number[]> {
  const times: number[] = [];
  for (let index = 0; index < count; index++) {
    const startedAt = performance.now();
    const Data = encodeRecord({ runId, index, sentAt: Date.now(), body: "bench" });
    await kinesis.send(new PutRecordCommand({ StreamName: stream, Data, PartitionKey: `${runId}-${index}` }));
    times.push(performance.now() - startedAt);
    await after(index, startedAt);
  }
  return times;
}

/** Lambda: put records one by one while the function's mapping is live; read the handler's latencies from its log. */
export async function lambdaLatency(target: TargetOptions, samples: number): Promise<number[]> {
  const runId = newRunId();
  await putOneByOne(clientFor(KinesisClient, target), target.stream, runId, samples);
  const { latencies } = await followSeenLines(
    clientFor(CloudWatchLogsClient, target),
    resourceNames(target.stream).logGroupName,
    runId,
    samples,
    120_000,
  );
  return latencies;
}

/**
 * Lambda's event source mapping on the local target: the median gap between two polls of one
 * shard (AWS: about 1,000 ms), from the endpoint's counters; then how often lesson 05's poison
 * record reaches a throwing handler (--poison throw --count 8).
 */
export async function mappingFigures(target: TargetOptions): Promise<{ esmPollMs: number; poisonDeliveries: number }> {
  const stats = (await (await fetch(`${target.endpoint}/_workshop/stats`)).json()) as LayerStats;
  const mapping = stats.mappings?.find((m) => m.streamArn.endsWith(`/${target.stream}`));
  if (mapping?.pollGapMs === undefined) throw new WorkshopError(`no polls of ${target.stream}'s mapping were counted`);
  const options = { ...parseOptions(lambdaFunction.lesson, ["--poison", "throw", "--count", "8"], {}), ...target };
  const { poisonDeliveries } = await lambdaFunction.main(options);
  return { esmPollMs: mapping.pollGapMs, poisonDeliveries: poisonDeliveries ?? 0 };
}

/** KCL: run lesson 04 in this process; once it processes a first record, put records one by one and time each. */
export async function kclLatency(target: TargetOptions, samples: number): Promise<number[]> {
  const kinesis = clientFor(KinesisClient, target);
  const already = (await tallyStream(kinesis, target.stream)).unique;
  const options = {
    ...parseOptions(kclConsumer.lesson, ["--expect", String(already + 1 + samples), "--timeout", "240"], {}),
    ...target,
  };
  const reports = followJsonLines<ProcessedRecord>(join(KCL_WORK_DIR, `${applicationName(options)}.processed.jsonl`));
  const consumer = kclConsumer.main(options);
  let failed: unknown;
  consumer.catch((error) => (failed = error));

  // One warm-up record: when it has been processed, the worker holds its leases and is polling.
  const warmUp = newRunId();
  await putOneByOne(kinesis, target.stream, warmUp, 1);
  const seen: ProcessedRecord[] = [];
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
  await putOneByOne(kinesis, target.stream, runId, samples);
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
export async function batchedThenSingle(where: TargetOptions, records: number) {
  await makeStreamOn(where, 2);
  const batched = await putOn(where, records);
  const single = await putOn(where, records, "--single");
  return { batched, single };
}

/** Lesson 02's batched records/s on a new stream of `shards` shards, after a warm-up that spends the shards' burst. */
export async function steadyBatchedRate(target: TargetOptions, stream: string, shards: number, records: number) {
  const where = { ...target, stream };
  await makeStreamOn(where, shards);
  await putOn(where, 500 * shards);
  const put = await putOn(where, records);
  const stored = (await tallyStream(clientFor(KinesisClient, where), stream)).uniqueFor(put.runId);
  return { ...put, lost: records - stored };
}

/** Median latency of `samples` PutRecord calls, one after another, to an endpoint. */
async function putLatency(endpoint: string, stream: string, samples: number): Promise<number> {
  const kinesis = clientFor(KinesisClient, { target: "local", region: "us-east-1", endpoint, debug: false });
  const times = await putOneByOne(kinesis, stream, "latency", samples, async () => {});
  return percentiles(times).median;
}

/** A PutRecord's round trip on the local target: SDK → endpoint → meters → the record on disk → reply. */
export async function localPutMs(target: TargetOptions, samples: number): Promise<number> {
  const stream = "bench-latency";
  await makeStreamOn({ ...target, stream }, 4);
  const rounds: number[] = [];
  for (let round = 0; round < 4; round++) rounds.push(await putLatency(target.endpoint!, stream, samples));
  return Math.round(percentiles(rounds).median * 100) / 100;
}

/** What keeping records on disk costs a put: appending 500-record batches to a store on disk, and to one in memory (µs per record). */
export function durableAppendUs(records = 50_000): { disk: number; memory: number } {
  const dir = mkdtempSync(join(tmpdir(), "workshop-bench-store-"));
  const perRecordUs = (store: KinesisStore) => {
    const streams = new StreamOperations(store);
    const call = {
      operation: "CreateStream",
      accessKey: "",
      region: "us-east-1",
      stream: "s",
      input: { ShardCount: 1 },
      entries: [],
    };
    streams.operations.CreateStream!(call, "000000000000");
    const stream = store.get("000000000000", "us-east-1", "s")!;
    const data = Buffer.alloc(100, 97).toString("base64");
    const started = performance.now();
    for (let done = 0; done < records; done += 500) {
      const batch = Array.from({ length: 500 }, (_, i) => ({
        shard: stream.shards[0]!,
        record: { seq: store.nextSeq(0), data, key: `k${done + i}`, at: Date.now(), bytes: 100 },
      }));
      store.append(stream, batch);
    }
    const us = ((performance.now() - started) * 1000) / records;
    store.close();
    return Math.round(us * 100) / 100;
  };
  try {
    return { disk: perRecordUs(new KinesisStore(dir)), memory: perRecordUs(new KinesisStore()) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Lesson 01 --reshard's call: UpdateShardCount 2 → 4, until the stream is ACTIVE again (asked every 50 ms). */
export async function reshardMs(target: TargetOptions): Promise<number> {
  const where = { ...target, stream: "bench-reshard" };
  await makeStreamOn(where, 2);
  const kinesis = clientFor(KinesisClient, where);
  const started = performance.now();
  await kinesis.send(
    new UpdateShardCountCommand({ StreamName: where.stream, TargetShardCount: 4, ScalingType: "UNIFORM_SCALING" }),
  );
  await pollUntil(
    `${where.stream} to be ACTIVE with 4 open shards`,
    async () => {
      const { StreamDescriptionSummary: s } = await kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: where.stream }),
      );
      return s?.StreamStatus === "ACTIVE" && s.OpenShardCount === 4 ? true : undefined;
    },
    { intervalMs: 50 },
  );
  return Math.round(performance.now() - started);
}

/** npm run view in headless Chromium: how long the page takes to show its first snapshot, and a put to show on it. */
export async function viewLatency(
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

    // A record put every 137 ms (off the page's one-second beat), the page's total read every
    // 20 ms: a record's lag runs from its put to the first reading that counts it.
    const kinesis = clientFor(KinesisClient, where);
    const putAt: number[] = [];
    const lags: number[] = [];
    const shownTotal = () =>
      page.evaluate(() => Number(document.querySelector("[data-shard-total]")?.getAttribute("data-value")) || 0);
    const watching = (async () => {
      const deadline = performance.now() + samples * 137 + 10_000;
      while (lags.length < samples) {
        if (performance.now() > deadline) throw new WorkshopError(`the page showed ${lags.length} of ${samples}`);
        const total = await shownTotal();
        const now = performance.now();
        while (lags.length < Math.min(total, putAt.length)) lags.push(now - putAt[lags.length]!);
        await sleep(20);
      }
    })();
    const putting = putOneByOne(kinesis, where.stream, "view", samples, async (index, startedAt) => {
      putAt[index] = startedAt;
      await sleep(137);
    });
    await Promise.all([putting, watching]);
    return { viewLoadMs, viewLagMs: Math.round(percentiles(lags).median) };
  } finally {
    await browser.close();
    await view.close();
  }
}
