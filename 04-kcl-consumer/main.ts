// Lesson 04: a consumer built on the Kinesis Client Library (KCL).
//
//   npx tsx 04-kcl-consumer/main.ts [--expect 1000] [--show-leases] [--crash-on N]
//
// Lesson 03 did everything by hand: list shards, hold iterators, remember positions.
// The KCL does that for you. Its MultiLangDaemon (Java) takes a *lease* on each shard in
// a DynamoDB table, starts our record processor (record-processor.ts) for it, feeds it
// records, and stores the *checkpoints* it asks for. Start a second worker and they
// share the shards; kill one and the other takes its leases over.
//
// This file is the launcher: it writes the daemon's properties, starts Java, counts
// what the processor reports, and stops the daemon cleanly.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DescribeTableCommand, ResourceNotFoundException, ScanCommand } from "@aws-sdk/client-dynamodb";
import { DescribeStreamSummaryCommand } from "@aws-sdk/client-kinesis";
import {
  defineFlags,
  dynamoDBClient,
  EMULATOR_CREDENTIALS,
  kinesisClient,
  RecordTally,
  runLesson,
  say,
  table,
  wholeNumber,
  WorkshopError,
  type LessonOptions,
} from "../shared/index.js";
import { PROJECT_ROOT, WORKSHOP_DIR } from "../shared/emulator.js";
import { ensureKclJars, findJava, kclProperties, MULTI_LANG_DAEMON } from "../shared/kcl.js";
import { percentiles } from "../shared/wait.js";

export const lesson = {
  usage: "npx tsx 04-kcl-consumer/main.ts",
  about: "Run a KCL consumer: the Java MultiLangDaemon with a TypeScript record processor, leases and checkpoints in DynamoDB.",
  flags: defineFlags({
    expect: { type: "string", value: "N", help: "stop cleanly once N distinct records were processed" },
    timeout: { type: "string", value: "SECONDS", default: "180", help: "give up after this long (with --expect)" },
    "show-leases": { type: "boolean", help: "print the lease table (shard, owner, checkpoint) and exit" },
    "crash-on": { type: "string", value: "INDEX", help: "make the processor throw on the record with this index" },
  }),
};
export type Options = LessonOptions<typeof lesson.flags>;

const PROCESSOR = fileURLToPath(new URL("./record-processor.ts", import.meta.url));
const TSX = join(PROJECT_ROOT, "node_modules", ".bin", "tsx");

/** The KCL names its DynamoDB lease table after the application. */
export const applicationName = (options: Pick<Options, "target" | "stream">) => `workshop-kcl-${options.target}-${options.stream}`;

/** Read the lease table: one item per shard, with its owner and checkpoint. */
async function readLeases(options: Options) {
  const dynamodb = dynamoDBClient(options);
  try {
    const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: applicationName(options) }));
    return Items.map((item) => ({
      shard: item.leaseKey?.S ?? "?",
      owner: item.leaseOwner?.S ?? "(none)",
      checkpoint: item.checkpoint?.S ?? "",
      leaseCounter: item.leaseCounter?.N ?? "",
    }));
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return [];
    throw error;
  }
}

export async function main(options: Options) {
  const app = applicationName(options);
  const workDir = join(WORKSHOP_DIR, "kcl");
  mkdirSync(workDir, { recursive: true });
  const outputFile = join(workDir, `${app}.processed.jsonl`);

  if (options["show-leases"]) {
    const leases = await readLeases(options);
    if (leases.length === 0) say(`No lease table ${app} yet: run this lesson once without --show-leases.`);
    table(leases);
    return { leases: leases.length, table: app };
  }

  const expect = options.expect === undefined ? undefined : wholeNumber(options.expect, "--expect");
  const crashOn = options["crash-on"] === undefined ? undefined : wholeNumber(options["crash-on"], "--crash-on", 0);
  const timeoutMs = wholeNumber(options.timeout, "--timeout") * 1000;

  // The stream must exist (lesson 01); the KCL would otherwise retry quietly forever.
  await kinesisClient(options).send(new DescribeStreamSummaryCommand({ StreamName: options.stream }));

  // A new lease table means the application starts from scratch: so does our record of what it processed.
  const tableExists = await dynamoDBClient(options)
    .send(new DescribeTableCommand({ TableName: app }))
    .then(() => true, (error) => (error instanceof ResourceNotFoundException ? false : Promise.reject(error)));
  if (!tableExists || !existsSync(outputFile)) writeFileSync(outputFile, "");

  // The daemon's properties (see sample.properties for what each key means).
  const java = findJava();
  const jars = ensureKclJars();
  const propertiesFile = join(workDir, `${app}.properties`);
  writeFileSync(
    propertiesFile,
    kclProperties({
      applicationName: app,
      streamName: options.stream,
      region: options.region,
      endpoint: options.endpoint,
      executableName: `${TSX} ${PROCESSOR}`,
      idleTimeBetweenReadsInMillis: 250,
    }),
  );

  // Start the daemon. On emulators: dummy keys, and CBOR off (MiniStack's CBOR replies
  // carry timestamps in seconds where the Java SDK expects milliseconds).
  const logFile = join(workDir, `${app}.log`);
  const log = openSync(logFile, "a");
  const daemon = spawn(java, ["-cp", [...jars, workDir].join(delimiter), MULTI_LANG_DAEMON, "--properties-file", propertiesFile], {
    stdio: ["ignore", log, log],
    env: {
      ...process.env,
      KCL_OUTPUT_FILE: outputFile,
      ...(crashOn !== undefined ? { KCL_CRASH_ON: String(crashOn) } : {}),
      AWS_REGION: options.region,
      ...(options.endpoint
        ? {
            AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
            JAVA_TOOL_OPTIONS: `${process.env.JAVA_TOOL_OPTIONS ?? ""} -Daws.cborEnabled=false`.trim(),
          }
        : {}),
    },
  });
  closeSync(log);
  say(`Started the MultiLangDaemon (PID ${daemon.pid}) for application ${app}; its log: ${logFile}`);

  const exited = new Promise<number | null>((resolve) => daemon.once("exit", (code) => resolve(code)));
  let daemonExited = false;
  void exited.then(() => (daemonExited = true));
  const stopDaemon = async () => {
    if (daemonExited) return;
    daemon.kill("SIGTERM"); // the daemon's shutdown hook ends each lease with a final checkpoint
    const timer = setTimeout(() => daemon.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(timer);
  };
  const onCtrlC = () => void stopDaemon();
  process.once("SIGINT", onCtrlC);

  // Count what the processors report, until --expect is met, the daemon dies, or Ctrl-C.
  const tally = new RecordTally();
  const latencies: number[] = [];
  let readBytes = 0;
  const readNewLines = () => {
    const size = statSync(outputFile).size;
    if (size <= readBytes) return;
    const chunk = readFileSync(outputFile).subarray(readBytes, size).toString("utf8");
    const complete = chunk.lastIndexOf("\n") + 1;
    readBytes += Buffer.byteLength(chunk.slice(0, complete));
    for (const line of chunk.slice(0, complete).split("\n").filter(Boolean)) {
      const row = JSON.parse(line);
      tally.addPair(row.runId, row.index);
      latencies.push(row.processedAt - row.sentAt);
    }
  };

  const started = Date.now();
  let lastShown = -1;
  try {
    for (;;) {
      readNewLines();
      if (tally.records !== lastShown) {
        say(`  processed ${tally.records} record(s), ${tally.unique} distinct`);
        lastShown = tally.records;
      }
      if (expect !== undefined && tally.unique >= expect) break;
      if (daemonExited) {
        const tail = readFileSync(logFile, "utf8").trim().split("\n").slice(-3).join(" | ");
        const when = expect === undefined ? "unexpectedly" : `before ${expect} records were processed`;
        throw new WorkshopError(`the KCL daemon exited ${when}; last log lines: ${tail}`);
      }
      if (expect !== undefined && Date.now() - started > timeoutMs) {
        throw new WorkshopError(`only ${tally.unique} of ${expect} records were processed in ${timeoutMs / 1000} s: see ${logFile}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    process.off("SIGINT", onCtrlC);
    await stopDaemon();
  }
  readNewLines();

  const leases = await readLeases(options);
  say();
  table(leases);
  const { median, p95 } = percentiles(latencies);
  return {
    records: tally.records,
    unique: tally.unique,
    duplicates: tally.duplicates,
    leases: leases.length,
    latencyMs: median,
    latencyP95Ms: p95,
  };
}

runLesson(import.meta.url, lesson, main);
