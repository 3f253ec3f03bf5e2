// The local target's event source mapping for Kinesis, driven through the plain Lambda API as
// any client would drive it, with a handler that fails on one marked record among 100. What
// AWS documents (Lambda Developer Guide, "Using Lambda with Kinesis": retries, bisection,
// partial batch responses, on-failure destinations) is what must happen here.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  PutRecordsCommand,
  waitUntilStreamExists,
  KinesisClient,
} from "@aws-sdk/client-kinesis";
import {
  CreateEventSourceMappingCommand,
  type CreateEventSourceMappingCommandInput,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  waitUntilFunctionActiveV2,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor } from "../shared/clients.js";
import { EMULATOR_CREDENTIALS } from "../shared/targets.js";
import * as lesson03 from "../03-basic-consumer/main.js";
import { restartLayer } from "../local/emulator.js";
import type { LayerStats } from "../local/stats.js";
import { localOptions, useTestEmulator } from "./emulator.js";

const testEmulator = useTestEmulator();
const where = () => ({
  target: "local" as const,
  region: "us-east-1",
  endpoint: testEmulator.current.endpoint,
  debug: false,
});
const dir = mkdtempSync(join(tmpdir(), "esm-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The handler writes each delivery to a file the test reads (MiniStack runs it on this
// machine), then fails as MODE says on the record whose body is "poison".
const HANDLER = `
const fs = require("fs");
exports.handler = async (event) => {
  const records = event.Records.map((r) => ({ seq: r.kinesis.sequenceNumber, body: Buffer.from(r.kinesis.data, "base64").toString() }));
  fs.appendFileSync(process.env.DELIVERIES, JSON.stringify({ records, first: event.Records[0] }) + "\\n");
  const poison = records.find((r) => r.body === "poison");
  if (process.env.MODE === "fail") throw new Error("failing every batch");
  if (process.env.MODE === "report") return { batchItemFailures: poison ? [{ itemIdentifier: poison.seq }] : [] };
  if (poison) throw new Error("cannot process the poison record");
  return {};
};`;

interface Delivery {
  records: { seq: string; body: string }[];
  first: Record<string, unknown>;
}
const deliveries = (name: string): Delivery[] =>
  existsSync(join(dir, name))
    ? readFileSync(join(dir, name), "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Delivery)
    : [];

let roleArn = "";
let sqs: SQSClient;
beforeAll(async () => {
  const { Role } = await clientFor(IAMClient, where()).send(
    new CreateRoleCommand({
      RoleName: "esm-test-role",
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    }),
  );
  roleArn = Role!.Arn!;
  sqs = new SQSClient({
    region: "us-east-1",
    endpoint: testEmulator.current.endpoint,
    credentials: EMULATOR_CREDENTIALS,
  });
});
afterAll(() => sqs?.destroy());

/** A stream of one shard holding 100 records, #50 the poison one; a function; a queue; then the mapping. */
async function setUp(
  name: string,
  mode: "throw" | "report" | "fail",
  mapping: Partial<CreateEventSourceMappingCommandInput>,
) {
  const kinesis = clientFor(KinesisClient, where());
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  await waitUntilStreamExists({ client: kinesis, maxWaitTime: 30 }, { StreamName: name });
  const Records = Array.from({ length: 100 }, (_, i) => ({
    Data: Buffer.from(i === 50 ? "poison" : `record ${i}`),
    PartitionKey: `key-${i}`,
  }));
  await kinesis.send(new PutRecordsCommand({ StreamName: name, Records }));
  const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));

  const lambda = clientFor(LambdaClient, where());
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs24.x",
      Handler: "index.handler",
      Role: roleArn,
      Code: { ZipFile: zipSync({ "index.js": Buffer.from(HANDLER) }) },
      Timeout: 30,
      Environment: { Variables: { DELIVERIES: join(dir, name), MODE: mode } },
    }),
  );
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 60 }, { FunctionName: name });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-failures` }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const created = await lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: name,
      EventSourceArn: StreamDescriptionSummary!.StreamARN,
      StartingPosition: "TRIM_HORIZON",
      DestinationConfig: { OnFailure: { Destination: Attributes!.QueueArn } },
      ...mapping,
    }),
  );
  return { uuid: created.UUID!, queueUrl: QueueUrl!, streamArn: StreamDescriptionSummary!.StreamARN! };
}

/** Wait until every record but the poison one was delivered, and `more` holds. */
async function waitFor(name: string, more: (all: Delivery[]) => boolean = () => true, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = deliveries(name);
    const handled = new Set(all.flatMap((d) => d.records.map((r) => r.body)));
    if (handled.size >= 100 && more(all)) return all;
    if (Date.now() > deadline)
      throw new Error(`${name}: ${handled.size} distinct records delivered after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
const withPoison = (all: Delivery[]) => all.filter((d) => d.records.some((r) => r.body === "poison"));

async function failureMessages(queueUrl: string) {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 5 }),
  );
  return Messages.map((m) => JSON.parse(m.Body!));
}

describe("a Kinesis event source mapping on the local target", () => {
  // A real minute: a function that always fails, with MaximumRecordAgeInSeconds: 60. Started
  // first, while the other tests run; its last test waits for the rest of the minute.
  let aged: Promise<{ queueUrl: string } | Error>;
  beforeAll(() => {
    aged = setUp("esm-aged", "fail", { BatchSize: 100, MaximumRecordAgeInSeconds: 60 }).catch((e: Error) => e);
  });

  it("retries a failing batch MaximumRetryAttempts times, sends it to the on-failure queue, and goes on", async () => {
    const { uuid, queueUrl, streamArn } = await setUp("esm-retries", "throw", {
      BatchSize: 10,
      MaximumRetryAttempts: 2,
    });
    const all = await waitFor("esm-retries", (d) => withPoison(d).length >= 3);
    expect(withPoison(all)).toHaveLength(3); // the first try and two retries, the whole batch of 10 each time
    expect(withPoison(all).every((d) => d.records.length === 10)).toBe(true);
    // The event is AWS's.
    expect(all[0]!.first).toMatchObject({
      eventSource: "aws:kinesis",
      eventName: "aws:kinesis:record",
      eventSourceARN: streamArn,
      awsRegion: "us-east-1",
      kinesis: { kinesisSchemaVersion: "1.0", partitionKey: "key-0" },
    });
    const [failure] = await failureMessages(queueUrl);
    expect(failure).toMatchObject({
      requestContext: { condition: "RetryAttemptsExhausted", approximateInvokeCount: 3 },
      responseContext: { functionError: "Unhandled" },
      KinesisBatchInfo: { shardId: "shardId-000000000000", batchSize: 10, streamArn },
    });
    // Every record after the skipped batch was processed (each batch of 10 in order).
    expect(new Set(all.flatMap((d) => d.records.map((r) => r.body))).size).toBe(100);
    const mapping = await clientFor(LambdaClient, where()).send(new GetEventSourceMappingCommand({ UUID: uuid }));
    expect(mapping).toMatchObject({ State: "Enabled", MaximumRetryAttempts: 2, BatchSize: 10 });
    expect(mapping.LastProcessingResult).toMatch(/^(OK|PROBLEM: .+)$/);
  }, 120_000);

  it("with bisection, narrows the failing batch down to the poison record, and processes the rest", async () => {
    await setUp("esm-bisect", "throw", { BatchSize: 100, MaximumRetryAttempts: 2, BisectBatchOnFunctionError: true });
    const all = await waitFor("esm-bisect", (d) =>
      withPoison(d).some((p) => p.records.length === 1 && withPoison(d).length >= 3),
    );
    const sizes = withPoison(all).map((d) => d.records.length);
    expect(sizes[0]).toBe(100);
    expect(sizes).toContain(1); // the poison record alone, in the end
    expect(sizes.length).toBeGreaterThanOrEqual(3); // "at least three times"
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]!);
  }, 120_000);

  it("with ReportBatchItemFailures, retries from the reported record: those before it are not delivered again", async () => {
    await setUp("esm-partial", "report", {
      BatchSize: 100,
      MaximumRetryAttempts: 1,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    const all = await waitFor("esm-partial", (d) => withPoison(d).length >= 2);
    const [first, retry] = withPoison(all);
    expect(first!.records).toHaveLength(100);
    expect(retry!.records[0]!.body).toBe("poison"); // the retry starts at the reported record
    expect(retry!.records).toHaveLength(50);
    const before = all.slice(1).flatMap((d) => d.records.map((r) => r.body));
    expect(before).not.toContain("record 49");
  }, 120_000);

  it("shares the shard's 5 reads a second with lesson 03: the layer counts both, and both finish", async () => {
    const stats = async () =>
      (await (await fetch(`${testEmulator.current.endpoint}/_workshop/stats`)).json()) as LayerStats;
    const mappingOf = (layer: LayerStats) => layer.mappings!.find((m) => m.streamArn.endsWith("/esm-retries"))!;
    const first = await stats();
    const before = first.shards.find((s) => s.stream === "esm-retries")!.reads;
    // Ten records a read: ten reads or more, at most five a second, while the mapping polls.
    const read = await lesson03.main(
      localOptions(lesson03.lesson, testEmulator.current, "esm-retries", "--limit", "10"),
    );
    expect(read.records).toBe(100); // every record (they are not workshop JSON, so none is "unique")
    const after = await stats();
    const mapping = mappingOf(after);
    const polls = mapping.polls - mappingOf(first).polls;
    expect(polls).toBeGreaterThanOrEqual(1);
    // The mapping kept polling about once a second meanwhile, and its reads are in the shard's count.
    expect(mapping.pollGapMs).toBeGreaterThanOrEqual(900);
    expect(mapping.pollGapMs).toBeLessThan(3000);
    expect(mapping).toMatchObject({ retries: 2, skipped: 1, bisections: 0 });
    expect(after.shards.find((s) => s.stream === "esm-retries")!.reads - before).toBeGreaterThanOrEqual(10 + polls);
  }, 60_000);

  it("keeps its mappings and checkpoints across a restart of the endpoint: nothing is delivered again", async () => {
    const delivered = deliveries("esm-partial").length;
    await restartLayer(testEmulator.current.paths, true);
    const lambda = clientFor(LambdaClient, where());
    const { EventSourceMappings = [] } = await lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: "esm-partial" }),
    );
    expect(EventSourceMappings).toMatchObject([{ State: "Enabled", BatchSize: 100 }]);
    await new Promise((r) => setTimeout(r, 3000)); // three polls
    expect(deliveries("esm-partial")).toHaveLength(delivered);
  }, 60_000);

  it("does nothing while disabled (Enabled: false), and starts from TRIM_HORIZON once enabled", async () => {
    const { uuid } = await setUp("esm-paused", "report", { BatchSize: 100, Enabled: false });
    const lambda = clientFor(LambdaClient, where());
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State).toBe("Disabled");
    await new Promise((r) => setTimeout(r, 2500)); // two polls' worth
    expect(deliveries("esm-paused")).toEqual([]);
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: true }));
    const all = await waitFor("esm-paused");
    expect(all[0]!.records[0]!.body).toBe("record 0");
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State).toBe("Enabled");
  }, 60_000);

  it("is listed, read and deleted through the Lambda API", async () => {
    const lambda = clientFor(LambdaClient, where());
    const { EventSourceMappings = [] } = await lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: "esm-retries" }),
    );
    expect(EventSourceMappings).toHaveLength(1);
    const deleted = await lambda.send(new DeleteEventSourceMappingCommand({ UUID: EventSourceMappings[0]!.UUID }));
    expect(deleted.State).toBe("Deleting");
    await expect(
      lambda.send(new GetEventSourceMappingCommand({ UUID: EventSourceMappings[0]!.UUID })),
    ).rejects.toThrow();
  });

  it("skips records older than MaximumRecordAgeInSeconds to the on-failure queue, after a minute of retries", async () => {
    const run = await aged;
    if (run instanceof Error) throw run;
    let notes: { requestContext: { condition: string }; KinesisBatchInfo: { batchSize: number } }[] = [];
    for (let waited = 0; waited < 100_000 && notes.length === 0; waited += 5000)
      notes = await failureMessages(run.queueUrl);
    expect(notes[0]).toMatchObject({
      requestContext: { condition: "RecordAgeExceeded" },
      KinesisBatchInfo: { batchSize: 100 },
    });
    expect(deliveries("esm-aged").length).toBeGreaterThan(3); // retried (forever, by default) until then
  }, 120_000);
});
