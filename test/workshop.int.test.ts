// npm start, then npm run cleanup, as an instructor runs them, against a fresh emulator of the test's own.
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { paginateDescribeLogGroups } from "@aws-sdk/client-cloudwatch-logs";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { ListRolesCommand } from "@aws-sdk/client-iam";
import { ListStreamsCommand } from "@aws-sdk/client-kinesis";
import { ListEventSourceMappingsCommand, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { WORKSHOP_DIR } from "../shared/paths.js";
import {
  dynamoDBClient,
  iamClient,
  kinesisClient,
  lambdaClient,
  logsClient,
  sqsClient,
  tallyStream,
} from "../shared/index.js";
import { parseOptions } from "../shared/options.js";
import { cleanup } from "../scripts/cleanup.js";
import { lastJson, runCli } from "./cli.js";
import { useTestEmulator } from "./emulator.js";

const testEmulator = useTestEmulator();
// Its own stream name, so lesson 04's files under .workshop/kcl never meet a student's.
const stream = `start-${process.pid}`;
const args = () => ["--endpoint", testEmulator.current.endpoint, "--stream", stream];

/** Everything of every kind the workshop makes, as the emulator lists it. */
async function everything() {
  const where = parseOptions(cleanup, args(), {});
  const logGroups: string[] = [];
  for await (const page of paginateDescribeLogGroups({ client: logsClient(where) }, {}))
    logGroups.push(...(page.logGroups ?? []).map((g) => g.logGroupName!));
  return {
    streams: (await kinesisClient(where).send(new ListStreamsCommand({}))).StreamNames ?? [],
    functions: ((await lambdaClient(where).send(new ListFunctionsCommand({}))).Functions ?? []).map(
      (f) => f.FunctionName,
    ),
    mappings: ((await lambdaClient(where).send(new ListEventSourceMappingsCommand({}))).EventSourceMappings ?? []).map(
      (m) => m.UUID,
    ),
    roles: ((await iamClient(where).send(new ListRolesCommand({}))).Roles ?? []).map((r) => r.RoleName),
    logGroups,
    tables: (await dynamoDBClient(where).send(new ListTablesCommand({}))).TableNames ?? [],
    queues: (await sqsClient(where).send(new ListQueuesCommand({}))).QueueUrls ?? [],
  };
}

describe("the workshop in one go", () => {
  it("npm start runs lessons 01 → 05 in order and ends with the table; cleanup then leaves nothing", async () => {
    const run = await runCli("scripts/start.ts", [...args(), "--count", "500", "--json"], {}, 200_000);
    expect(run.stderr).not.toMatch(/✗/);
    expect(run.code).toBe(0);
    for (const lesson of [
      "01-make-a-stream",
      "02-produce-data",
      "03-basic-consumer",
      "04-kcl-consumer",
      "05-lambda-function",
    ]) {
      expect(run.stdout).toContain(`━━ Lesson ${lesson} `);
    }
    const table = lastJson(run);
    expect(table).toMatchObject({ ok: true, target: "local" });
    expect(table.lessons.map((l: { status: string }) => l.status)).toEqual(["ok", "ok", "ok", "ok", "ok"]);
    const [made, produced, read, kcl, lambda] = table.lessons.map((l: { figure: string }) => l.figure);
    expect(made).toMatch(new RegExp(`:stream/${stream} \\(2 shards\\)$`));
    expect(produced).toMatch(/^500 records sent/);
    expect(read).toMatch(/^500 unique read of 500$/);
    expect(kcl).toMatch(/^500 unique by the KCL over 2 lease\(s\)$/);
    expect(lambda).toMatch(/^100 unique by Lambda, median \d+ ms/);
    expect(run.stdout).toMatch(/lesson\s+status\s+seconds\s+what it did/);

    const before = await everything();
    expect(before.streams).toContain(stream);
    expect(before.functions).toContain(`${stream}-handler`);

    const cleaned = await runCli("scripts/cleanup.ts", [...args(), "--yes", "--json"]);
    expect(cleaned.code).toBe(0);
    const deleted = lastJson(cleaned)
      .deleted.map((d: { kind: string }) => d.kind)
      .sort();
    expect(deleted).toEqual([
      "KCL table", // the leases
      "KCL table", // KCL 3.x's CoordinatorState
      "KCL table", // and WorkerMetricStats
      "event source mapping",
      "function",
      "log group",
      "queue", // lesson 05's on-failure queue
      "role",
      "stream",
    ]);
    expect(await everything()).toEqual({
      streams: [],
      functions: [],
      mappings: [],
      roles: [],
      logGroups: [],
      tables: [],
      queues: [],
    });

    const again = await runCli("scripts/cleanup.ts", [...args(), "--yes", "--json"]);
    expect(again.stdout).toContain("Nothing of the workshop's is left on local.");
    expect(lastJson(again)).toEqual({ found: 0, deleted: [] });
  }, 300_000);

  it("stops at the first lesson that fails, with its one-line error, and a non-zero exit", async () => {
    // JAVA_HOME names no Java, so lesson 04 cannot start its daemon: 01-03 pass, 04 fails, 05 never runs.
    const run = await runCli("scripts/start.ts", [...args(), "--count", "10", "--json"], { JAVA_HOME: "/nonexistent" });
    expect(run.code).toBe(1);
    const table = lastJson(run);
    expect(table.lessons.map((l: { status: string }) => l.status)).toEqual(["ok", "ok", "ok", "failed", "not run"]);
    expect(run.stderr).toMatch(/^✗ 04-kcl-consumer: lesson 04 needs Java to run the KCL daemon and found none/m);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }, 120_000);

  it("passes again and again: in a second checkout sharing the emulator, then lesson 04 alone in the first", async () => {
    // Two checkouts of the workshop: each keeps its own files (lesson 04's reports among them) in its
    // own WORKSHOP_DIR, with the KCL jars installed. Both use the test's emulator, as a student's would.
    const rerun = `rerun-${process.pid}`;
    const checkouts = [mkdtempSync(join(tmpdir(), "checkout-a-")), mkdtempSync(join(tmpdir(), "checkout-b-"))];
    for (const dir of checkouts) symlinkSync(join(WORKSHOP_DIR, "kcl-jars"), join(dir, "kcl-jars"));
    const [a, b] = checkouts.map((dir) => ({ WORKSHOP_DIR: dir }));
    const where = ["--endpoint", testEmulator.current.endpoint, "--stream", rerun, "--count", "200", "--json"];
    try {
      for (const env of [a, b]) {
        const run = await runCli("scripts/start.ts", where, env, 200_000);
        expect(run.stderr).not.toMatch(/✗/);
        expect(lastJson(run).lessons.map((l: { status: string }) => l.status)).toEqual(["ok", "ok", "ok", "ok", "ok"]);
      }
      // Every record in the stream (lesson 02's and lesson 05's, twice over). The lease table
      // says the KCL has finished them all, whichever checkout's worker did it.
      const inStream = (await tallyStream(kinesisClient(parseOptions(cleanup, args(), {})), rerun)).unique;
      expect(inStream).toBeGreaterThanOrEqual(2 * (200 + 100));
      const alone = await runCli(
        "04-kcl-consumer/main.ts",
        [...where.slice(0, 4), "--expect", String(inStream), "--timeout", "60", "--json"],
        a,
      );
      expect(alone.stderr).not.toMatch(/✗/);
      expect(lastJson(alone)).toMatchObject({ unique: inStream });
    } finally {
      for (const dir of checkouts) rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
