// npm start, then npm run cleanup, as an instructor runs them on every laptop in the class:
// a student clones the workshop into a folder whose path has a space in it
// ("~/Documents/AWS Workshop", "C:\Users\Jane Doe\…"). Here a copy of the project, with its
// installed node_modules and .workshop, runs both from such a folder, on an emulator of its own.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { paginateDescribeLogGroups, CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ListTablesCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ListRolesCommand, IAMClient } from "@aws-sdk/client-iam";
import { ListStreamsCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { ListEventSourceMappingsCommand, ListFunctionsCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { stopEmulator } from "../local/emulator.js";
import { clientFor } from "../shared/index.js";
import { PROJECT_ROOT, WORKSHOP_DIR } from "../shared/paths.js";
import { localEndpoint } from "../shared/targets.js";
import { freePort } from "./emulator.js";
import { lastJson, runShell } from "./cli.js";

const parent = mkdtempSync(join(tmpdir(), "with space-"));
const copy = join(parent, "AWS Workshop");
let port = 0;
const stream = `start-${process.pid}`;

/** Everything of every kind the workshop makes, as the copy's emulator lists it. */
async function everything() {
  const where = { target: "local", region: "us-east-1", endpoint: localEndpoint(port), debug: false } as const;
  const logGroups: string[] = [];
  for await (const page of paginateDescribeLogGroups({ client: clientFor(CloudWatchLogsClient, where) }, {}))
    logGroups.push(...(page.logGroups ?? []).map((g) => g.logGroupName!));
  return {
    streams: (await clientFor(KinesisClient, where).send(new ListStreamsCommand({}))).StreamNames ?? [],
    functions: ((await clientFor(LambdaClient, where).send(new ListFunctionsCommand({}))).Functions ?? []).map(
      (f) => f.FunctionName,
    ),
    mappings: (
      (await clientFor(LambdaClient, where).send(new ListEventSourceMappingsCommand({}))).EventSourceMappings ?? []
    ).map((m) => m.UUID),
    roles: ((await clientFor(IAMClient, where).send(new ListRolesCommand({}))).Roles ?? []).map((r) => r.RoleName),
    logGroups,
    tables: (await clientFor(DynamoDBClient, where).send(new ListTablesCommand({}))).TableNames ?? [],
    queues: (await clientFor(SQSClient, where).send(new ListQueuesCommand({}))).QueueUrls ?? [],
  };
}

afterAll(async () => {
  if (port) {
    const dir = join(copy, ".workshop");
    await stopEmulator({
      port,
      stateDir: join(dir, "emulator-state"),
      pidFile: join(dir, `emulator-${port}.pid`),
      logFile: join(dir, `emulator-${port}.log`),
    });
  }
  rmSync(parent, { recursive: true, force: true });
});

describe("a clone in a folder whose path has a space", () => {
  it("runs npm start, lessons 01 → 05 in order, ending with the table; npm run cleanup then leaves nothing", async () => {
    // The project as git knows it, plus what npm and the workshop installed.
    const tracked = spawnSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
    })
      .stdout.trim()
      .split("\n");
    for (const file of tracked) cpSync(join(PROJECT_ROOT, file), join(copy, file), { recursive: true });
    cpSync(join(PROJECT_ROOT, "node_modules"), join(copy, "node_modules"), { recursive: true, verbatimSymlinks: true });
    mkdirSync(join(copy, ".workshop"));
    for (const installed of readdirSync(WORKSHOP_DIR).filter((e) => e === "venv" || e === "kcl-jars")) {
      cpSync(join(WORKSHOP_DIR, installed), join(copy, ".workshop", installed), {
        recursive: true,
        verbatimSymlinks: true,
      });
    }
    expect(copy).toContain(" ");

    port = await freePort();
    const env = { WORKSHOP_LOCAL_PORT: String(port), WORKSHOP_DIR: "", NPM_CONFIG_UPDATE_NOTIFIER: "false" };
    const run = await runShell(`npm start -- --stream ${stream} --count 500 --json`, {
      cwd: copy,
      env,
      timeoutMs: 280_000,
    });
    expect(run.stderr, run.stdout).not.toMatch(/✗/);
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

    const cleanup = `npm run cleanup -- --stream ${stream} --yes --json`;
    const cleaned = await runShell(cleanup, { cwd: copy, env });
    expect(cleaned.code, cleaned.stderr).toBe(0);
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

    const again = await runShell(cleanup, { cwd: copy, env });
    expect(again.stdout).toContain("Nothing of the workshop's is left on local.");
    expect(lastJson(again)).toEqual({ found: 0, deleted: [] });
  }, 300_000);
});
