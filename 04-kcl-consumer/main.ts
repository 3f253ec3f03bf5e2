// Lesson 04: a consumer built on the Kinesis Client Library (KCL).
//
//   npx tsx 04-kcl-consumer/main.ts [--expect 1000] [--worker worker-1] [--show-leases] [--crash-on N]
//
// Lesson 03 did everything by hand: list shards, hold iterators, remember positions.
// The KCL does that for you. Its MultiLangDaemon (Java, KCL 3.x: AWS calls 1.x and 2.x
// outdated) holds a *lease* on each shard in a DynamoDB table, starts our record processor
// (record-processor.ts) for it, feeds it records, and stores the *checkpoints* it asks
// for. Start a second worker in another terminal (--worker worker-2) and the leader hands
// it some of the shards; stop one and the other is given its leases.
//
// This file is the launcher: it writes the daemon's properties, starts Java, counts
// what the processors report, and stops the daemon cleanly.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { join, relative } from "node:path";
import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from "@aws-sdk/client-dynamodb";
import { DescribeStreamSummaryCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { clientFor, confirmBillable, defineFlags, percentiles, Progress } from "../shared/index.js";
import { RecordTally, runLesson, say, table, wholeNumberFlag, WorkshopError } from "../shared/index.js";
import type { LessonOptions } from "../shared/index.js";
import { giveBackLeaderLock, readCoordination, readLeases, recordsBeforeCheckpoints } from "./checkpoints.js";
import { followJsonLines, applicationName, KCL_WORK_DIR, kclProperties, kinesisEndpointForKcl } from "./kcl-daemon.js";
import { nodeCommandLine, type ProcessedRecord, startMultiLangDaemon } from "./kcl-daemon.js";

export async function main(options: Options) {
  const dynamodb = clientFor(DynamoDBClient, options);
  const app = applicationName(options);
  mkdirSync(KCL_WORK_DIR, { recursive: true });
  const files = {
    properties: join(KCL_WORK_DIR, `${app}.properties`),
    log: join(KCL_WORK_DIR, `${app}.log`),
    processed: join(KCL_WORK_DIR, `${app}.processed.jsonl`),
  };

  if (options["show-leases"]) {
    const { leases, leader, clientVersion } = await showKclTables(dynamodb, app);
    return { table: app, leases, leader, clientVersion };
  }

  const { expect, "crash-on": crashOn } = options;
  const timeoutMs = options.timeout * 1000;

  // The stream must exist (lesson 01); the KCL would otherwise retry quietly forever.
  const kinesis = clientFor(KinesisClient, options);
  await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: options.stream }));

  // A new lease table means the application starts from scratch: so does our record of what it processed.
  const tableExists = await dynamodb.send(new DescribeTableCommand({ TableName: app })).then(
    () => true,
    (error) => (error instanceof ResourceNotFoundException ? false : Promise.reject(error)),
  );
  if (!tableExists || !existsSync(files.processed)) writeFileSync(files.processed, "");

  // What the processors reported before (in this checkout), then what the lease table says is
  // finished: another checkout, or an emulator restored from its saved state, may have moved
  // the checkpoints, and the KCL resumes after them (checkpoints.ts).
  const tally = new RecordTally();
  const latencies: number[] = [];
  const newReports = followJsonLines<ProcessedRecord>(files.processed);
  const count = () => {
    for (const report of newReports()) {
      tally.addPair(report.runId, report.index);
      latencies.push(report.processedAt - report.sentAt);
    }
  };
  count();
  const finished = await recordsBeforeCheckpoints(kinesis, options.stream, await readLeases(dynamodb, app));
  for (const record of finished) tally.know(record.runId, record.index);

  // The KCL makes its lease table in DynamoDB (on-demand) the first time it runs.
  await confirmBillable(options, [
    {
      what: `DynamoDB lease table ${app}, made by the KCL`,
      cost: "on-demand: well under $0.01 per hour while a worker runs, pennies a month when idle",
    },
  ]);

  // The KCL reads Kinesis over HTTP/2. An emulator that speaks only HTTP/1.1 gets a bridge in
  // this process that speaks HTTP/2 to the KCL and HTTP/1.1 to the emulator (kcl-daemon.ts).
  const kinesisEndpoint = await kinesisEndpointForKcl(options.endpoint);
  if (kinesisEndpoint.bridged)
    say(
      `${options.endpoint} speaks only HTTP/1.1: the KCL reads Kinesis through a bridge on ${kinesisEndpoint.endpoint}.`,
    );

  // The daemon's properties (sample.properties explains each key).
  writeFileSync(
    files.properties,
    kclProperties({
      applicationName: app,
      workerId: options.worker,
      streamName: options.stream,
      region: options.region,
      endpoint: options.endpoint,
      kinesisEndpoint: kinesisEndpoint.endpoint,
      executableName: PROCESSOR_COMMAND,
      idleTimeBetweenReadsInMillis: 250,
    }),
  );

  // Start the daemon. Each processor it starts appends what it handled to files.processed.
  const daemon = await startMultiLangDaemon({
    propertiesFile: files.properties,
    logFile: files.log,
    region: options.region,
    endpoint: options.endpoint,
    env: { KCL_OUTPUT_FILE: files.processed, ...(crashOn !== undefined ? { KCL_CRASH_ON: String(crashOn) } : {}) },
  });
  say(
    `Started the MultiLangDaemon (PID ${daemon.pid}) for application ${app}; its log: ${relative(process.cwd(), files.log)}`,
  );
  if (!tableExists)
    say(
      "A new application: the KCL makes its lease table, then waits 1 to 30 s before it writes the leases (first run only).",
    );
  const onCtrlC = () => void daemon.stop();
  process.once("SIGINT", onCtrlC);

  // Count what the processors report, until --expect is met, the daemon dies, or Ctrl-C.
  const started = Date.now();
  const waiting = new Progress("the KCL's workers to process records", { firstAfterMs: Number.POSITIVE_INFINITY });
  let lastShown = -1;
  let ledByThisWorker = false;
  let troubleSaid = false;
  try {
    for (;;) {
      count();
      if (tally.records !== lastShown) {
        say(`  processed ${tally.records} record(s), ${tally.unique} distinct`);
        lastShown = tally.records;
        waiting.heardFrom();
      } else if (expect !== undefined || tally.records === 0) {
        // Quiet while the workers start (or while --expect is not met yet): say we are still here.
        waiting.stillWaiting();
      }
      if (expect !== undefined && tally.unique >= expect) break;
      if (daemon.hasExited()) {
        const when = expect === undefined ? "unexpectedly" : `before ${expect} records were processed`;
        throw new WorkshopError(
          `the KCL daemon exited ${when}: ${daemon.firstCause()} (log: ${relative(process.cwd(), files.log)})`,
        );
      }
      // The daemon does not stop on most failures: it logs them and tries again. One that
      // keeps coming while nothing is processed is said in one line (and ends a run with --expect).
      const trouble = tally.records === 0 ? daemon.trouble() : undefined;
      if (trouble && !troubleSaid) {
        const line = `the KCL daemon keeps failing: ${trouble.cause}: ${trouble.fix} (log: ${relative(process.cwd(), files.log)})`;
        if (expect !== undefined) throw new WorkshopError(line);
        say(`! ${line}`);
        troubleSaid = true;
      }
      if (expect !== undefined && Date.now() - started > timeoutMs) {
        throw new WorkshopError(
          `only ${tally.unique} of ${expect} records were processed in ${timeoutMs / 1000} s: see ${files.log}`,
        );
      }
      await sleep(250);
    }
  } finally {
    process.off("SIGINT", onCtrlC);
    await daemon.stop(); // the processor has checkpointed after each batch
    // The 3.1.3 daemon exits at once, without the graceful shutdown that gives the leader's lock
    // back: given back here, or a worker started again could not lead for 2 minutes.
    ledByThisWorker = await giveBackLeaderLock(dynamodb, app, options.worker);
    await kinesisEndpoint.close();
  }
  count();

  say();
  const { leases, leader, clientVersion } = await showKclTables(
    dynamodb,
    app,
    ledByThisWorker ? options.worker : undefined,
  );
  const { median, p95 } = percentiles(latencies);
  return {
    records: tally.records,
    unique: tally.unique,
    duplicates: tally.duplicates,
    leases,
    leader,
    clientVersion,
    latencyMs: median,
    latencyP95Ms: p95,
  };
}

/**
 * The command the daemon runs for each shard lease: our processor, run by Node with tsx.
 * The daemon splits it on spaces, so it holds no absolute path (see nodeCommandLine).
 */
const PROCESSOR_COMMAND = nodeCommandLine(["04-kcl-consumer", "record-processor.ts"]);

/** Print the leases, then the workers; what the summary says of them. */
async function showKclTables(dynamodb: DynamoDBClient, app: string, ledBy?: string) {
  const leases = await readLeases(dynamodb, app);
  if (leases.length === 0) say(`No lease table ${app} yet: run this lesson once without --show-leases.`);
  const { clientVersion, workers, ...coordination } = await readCoordination(dynamodb, app);
  const leader = ledBy ?? coordination.leader; // the lock this run's worker held, and gave back
  table(leases);
  table(workers);
  return { leases: leases.length, leader, clientVersion };
}

export type Options = LessonOptions<typeof lesson.flags>;

export const lesson = {
  usage: "npx tsx 04-kcl-consumer/main.ts",
  about:
    "Run a KCL consumer: the Java MultiLangDaemon with a TypeScript record processor, leases and checkpoints in DynamoDB.",
  flags: defineFlags({
    expect: wholeNumberFlag("stop cleanly once N distinct records were processed"),
    timeout: wholeNumberFlag("give up after this long (with --expect)", { default: 180, value: "SECONDS" }),
    worker: {
      type: "string",
      value: "NAME",
      default: "worker-1",
      help: "this worker's name; give a second worker another one",
    },
    "show-leases": { type: "boolean", help: "print the lease table (shard, owner, checkpoint) and exit" },
    "crash-on": wholeNumberFlag("make the processor throw on the record with this index", { value: "INDEX", min: 0 }),
  }),
};

runLesson(import.meta.url, lesson, main);
