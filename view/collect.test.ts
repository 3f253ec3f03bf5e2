// The live view's data, with mocked AWS clients: the AWS path is built from CloudWatch
// metrics and never reads the stream; the local path turns the limits layer's counters
// into rates. Every command either path sends is a read.
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient, ListTablesCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  KinesisClient,
  ListShardsCommand,
  ListStreamsCommand,
  ListTagsForStreamCommand,
  PutRecordCommand,
  type StreamDescriptionSummary,
  type StreamSummary,
} from "@aws-sdk/client-kinesis";
import { LambdaClient, ListEventSourceMappingsCommand, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ShardMeters } from "../local/shard-limits.js";
import type { LayerStats } from "../local/stats.js";
import { parseOptions } from "../shared/options.js";
import { partial } from "../test/partial.js";
import { viewClients } from "./clients.js";
import { ViewCollector } from "./collect.js";
import { drained, leaseProgress, recentRate } from "./shard-state.js";
import { hostAllowed } from "../local/accept.js";
import { FORBIDDEN_READS, READ_ONLY_COMMAND } from "./snapshot.js";

const mocks = {
  kinesis: mockClient(KinesisClient),
  dynamodb: mockClient(DynamoDBClient),
  lambda: mockClient(LambdaClient),
  logs: mockClient(CloudWatchLogsClient),
  cloudwatch: mockClient(CloudWatchClient),
};
const clients = () => ({
  kinesis: new KinesisClient({ region: "eu-west-1" }),
  dynamodb: new DynamoDBClient({ region: "eu-west-1" }),
  lambda: new LambdaClient({ region: "eu-west-1" }),
  logs: new CloudWatchLogsClient({ region: "eu-west-1" }),
  cloudwatch: new CloudWatchClient({ region: "eu-west-1" }),
});
const ARN = "arn:aws:kinesis:eu-west-1:111122223333:stream/class-7";
const app = "workshop-kcl-aws-class-7";
const minute = (m: number) => new Date(Date.UTC(2026, 10, 26, 10, m));

/** Every command the mocks were sent, by class name. */
const commandsSent = () =>
  Object.values(mocks).flatMap((m) => m.calls().map((call) => (call.args[0] as object).constructor.name));

beforeEach(() => {
  for (const m of Object.values(mocks)) m.reset();
  mocks.kinesis.on(DescribeStreamSummaryCommand).resolves({
    StreamDescriptionSummary: partial<StreamDescriptionSummary>({
      StreamARN: ARN,
      StreamStatus: "ACTIVE",
      StreamModeDetails: { StreamMode: "PROVISIONED" },
      RetentionPeriodHours: 24,
    }),
  });
  mocks.kinesis.on(ListShardsCommand).resolves({
    Shards: [
      {
        ShardId: "shardId-000000000000",
        HashKeyRange: { StartingHashKey: "0", EndingHashKey: "170141183460469231731687303715884105727" },
        SequenceNumberRange: { StartingSequenceNumber: "1" },
      },
      {
        ShardId: "shardId-000000000001",
        HashKeyRange: {
          StartingHashKey: "170141183460469231731687303715884105728",
          EndingHashKey: "340282366920938463463374607431768211455",
        },
        SequenceNumberRange: { StartingSequenceNumber: "1" },
      },
    ],
  });
  mocks.kinesis.on(ListStreamsCommand).resolves({
    HasMoreStreams: false,
    StreamSummaries: [
      partial<StreamSummary>({ StreamName: "class-7", StreamARN: ARN, StreamStatus: "ACTIVE" }),
      partial<StreamSummary>({ StreamName: "class-8", StreamARN: `${ARN}-8`, StreamStatus: "ACTIVE" }),
      partial<StreamSummary>({ StreamName: "someone-elses", StreamARN: `${ARN}-x`, StreamStatus: "ACTIVE" }),
    ],
  });
  mocks.kinesis
    .on(ListTagsForStreamCommand, { StreamName: "class-8" })
    .resolves({ Tags: [{ Key: "workshop", Value: "kinesis-lambda" }] });
  mocks.kinesis.on(ListTagsForStreamCommand, { StreamName: "someone-elses" }).resolves({ Tags: [] });
  mocks.dynamodb.on(ListTablesCommand).resolves({
    TableNames: [app, `${app}-CoordinatorState`, `${app}-WorkerMetricStats`, "unrelated"],
  });
  // KCL 3.x's two tables, as the 3.1.3 daemon writes them.
  mocks.dynamodb.on(ScanCommand, { TableName: `${app}-CoordinatorState` }).resolves({
    Items: [
      { key: { S: "Leader" }, ownerName: { S: "worker-1" }, leaseDuration: { S: "120000" } },
      { key: { S: "Migration3.0" }, cv: { S: "CLIENT_VERSION_3X" }, mb: { S: "worker-1" } },
    ],
  });
  mocks.dynamodb.on(ScanCommand, { TableName: `${app}-WorkerMetricStats` }).resolves({
    Items: [
      { wid: { S: "worker-1" }, lut: { N: "1796017742" }, sts: { M: { C: { L: [{ N: "12.0" }, { N: "37.4" }] } } } },
      { wid: { S: "worker-2" }, lut: { N: "1796017741" }, sts: { M: {} } },
    ],
  });
  mocks.dynamodb.on(ScanCommand, { TableName: app }).callsFake((input) =>
    input.Select === "COUNT"
      ? { Count: 2 }
      : {
          Items: [
            {
              leaseKey: { S: "shardId-000000000000" },
              leaseOwner: { S: "worker-1" },
              checkpoint: { S: "49650" },
              leaseCounter: { N: "12" },
            },
          ],
        },
  );
  mocks.lambda.on(ListEventSourceMappingsCommand).resolves({
    EventSourceMappings: [
      {
        UUID: "esm-1",
        EventSourceArn: ARN,
        FunctionArn: "arn:aws:lambda:eu-west-1:111122223333:function:class-7-handler",
        State: "Enabled",
        BatchSize: 100,
        LastProcessingResult: "OK",
      },
    ],
  });
  mocks.lambda.on(ListFunctionsCommand).resolves({ Functions: [{ FunctionName: "class-7-handler" }] });
  mocks.logs.on(FilterLogEventsCommand).resolves({
    events: [
      { eventId: "1", message: "START RequestId: a Version: $LATEST" },
      { eventId: "2", message: "seen run-1 #0 after 800 ms" },
      { eventId: "3", message: "seen run-1 #1 after 1200 ms" },
    ],
  });
  mocks.cloudwatch.on(GetMetricDataCommand).callsFake((input) => ({
    MetricDataResults: input.MetricDataQueries.map((q: { Id: string }) => ({
      Id: q.Id,
      Timestamps: [minute(1), minute(2)],
      // Per minute: 60,000 records = 1,000/s; 120 throttled writes; 6 Lambda invocations.
      Values: {
        records: [30_000, 60_000],
        bytes: [3e6, 6e6],
        writesThrottled: [0, 120],
        invocations: [3, 3],
        errors: [0, 1],
        iteratorAge: [0, 4200],
        lambdaIteratorAge: [0, 900],
        s0: [90_000, 0],
        s1: [5, 5],
      }[q.Id] ?? [0, 0],
    })),
  }));
});

describe("the live view on AWS (mocked)", () => {
  const options = parseOptions(
    { usage: "view", about: "", flags: {} },
    ["--target", "aws", "--region", "eu-west-1", "--stream", "class-7"],
    {},
  );

  it("builds the page from CloudWatch metrics, per minute, and samples no records", async () => {
    const collector = new ViewCollector(options, clients(), async () => {
      throw new Error("there is no limits layer on AWS");
    });
    const s = await collector.snapshot();

    expect(s.granularity).toBe("1 min");
    expect(s.notes.join(" ")).toMatch(/one point a minute.*never calls GetRecords/);
    expect(s.recent).toBeNull();
    expect(s.description).toMatchObject({
      found: true,
      status: "ACTIVE",
      shards: [{ shardId: "shardId-000000000000", open: true }, { open: true }],
    });
    const [stream] = s.shards;
    expect(stream!.history.map((p) => p.records)).toEqual([500, 1000]);
    expect(stream!.history[1]).toMatchObject({ writesThrottled: 2 });
    expect(stream!.totals).toMatchObject({ recordsIn: 90_000, writesThrottled: 120 });
    expect(s.readersIteratorAgeMs).toBe(4200);
    expect(s.lambda.iteratorAgeMs).toBe(900);
    expect(s.lambda).toMatchObject({
      invocations: 6,
      errors: 1,
      recordsHandled: 2,
      latencyMedianMs: 1200,
      mappings: [{ uuid: "esm-1", functionName: "class-7-handler", state: "Enabled" }],
    });
    expect(s.leases).toEqual([
      {
        application: "workshop-kcl-aws-class-7",
        shard: "shardId-000000000000",
        owner: "worker-1",
        checkpoint: "49650",
        leaseCounter: "12",
        progress: "",
      },
    ]);
    expect(s.kclWorkers).toEqual([
      {
        application: app,
        worker: "worker-1",
        leader: true,
        clientVersion: "CLIENT_VERSION_3X",
        reportedAt: 1796017742000,
        load: "CPU 37%",
      },
      {
        application: app,
        worker: "worker-2",
        leader: false,
        clientVersion: "CLIENT_VERSION_3X",
        reportedAt: 1796017741000,
        load: "not measured (only on EC2, ECS, EKS)",
      },
    ]);
    expect(s.classmates).toEqual([
      { stream: "class-7", records: 90_000, leases: 2, hasFunction: true, hasMapping: true },
      { stream: "class-8", records: 10, leases: 0, hasFunction: false, hasMapping: false },
    ]);
  });

  it("sends only Describe/List/Get/Scan/Filter reads, and never GetRecords or GetShardIterator", async () => {
    const collector = new ViewCollector(options, clients(), async () => undefined);
    for (let i = 0; i < 3; i++) await collector.snapshot();
    const sent = commandsSent();
    expect(sent).toContain("GetMetricDataCommand");
    for (const name of sent) {
      expect(name).toMatch(READ_ONLY_COMMAND);
      expect(FORBIDDEN_READS.has(name), name).toBe(false);
    }
  });
});

describe("the live view on the local target (mocked clients, a fake limits layer)", () => {
  const options = parseOptions(
    { usage: "view", about: "", flags: {} },
    ["--endpoint", "http://127.0.0.1:1", "--stream", "class-7", "--region", "eu-west-1"],
    {},
  );
  const reading = (at: number, recordsIn: number, writesThrottled: number): LayerStats => ({
    limits: true,
    at,
    shards: [
      {
        account: "000000000000",
        region: "eu-west-1",
        stream: "class-7",
        shardId: "shardId-000000000000",
        recordsIn,
        bytesIn: recordsIn * 100,
        writesThrottled,
        reads: 0,
        recordsOut: 0,
        bytesOut: 0,
        readsThrottled: 0,
        iteratorsThrottled: 0,
        lastSequenceNumber: "49650",
      },
    ],
    recent: {
      "eu-west-1/class-7": [
        { at, shardId: "shardId-000000000000", partitionKey: "k1", sequenceNumber: "1", dataStart: "first" },
        { at, shardId: "shardId-000000000000", partitionKey: "k2", sequenceNumber: "2", dataStart: "second" },
      ],
    },
  });

  it("turns two readings of the layer's counters into per-second rates, shows the newest records first, and tells a caught-up lease", async () => {
    const readings = [reading(1_000, 0, 0), reading(3_000, 2_000, 50)];
    const collector = new ViewCollector(options, clients(), async () => readings.shift());
    await collector.snapshot();
    const s = await collector.snapshot();
    expect(s.granularity).toBe("1 s");
    expect(s.limits).toBe(true);
    expect(s.shards[0]!.history.at(-1)).toMatchObject({ records: 1000, bytes: 100_000, writesThrottled: 25 });
    expect(s.shards[0]!.totals).toMatchObject({ recordsIn: 2000, writesThrottled: 50 });
    expect(s.recent!.map((r) => r.dataStart)).toEqual(["second", "first"]);
    expect(s.leases[0]!.progress).toBe("caught up");
    expect(s.classmates.find((c) => c.stream === "class-7")?.records).toBe(2000);
    expect(commandsSent()).not.toContain("GetMetricDataCommand");
  });

  it("adds to each mapping what the endpoint's own event source mapping did: polls, retries, bisections, skips", async () => {
    const work = { pollGapMs: 1001, iteratorAgeMs: 0, invocations: 9, retries: 2, bisections: 4, skipped: 1 };
    const layer: LayerStats = {
      ...reading(1_000, 0, 0),
      mappings: [
        {
          uuid: "esm-1",
          streamArn: ARN,
          functionArn: "f",
          state: "Enabled",
          lastProcessingResult: "OK",
          polls: 30,
          ...work,
        },
      ],
    };
    const collector = new ViewCollector(options, clients(), async () => layer);
    await collector.snapshot(); // the first snapshot finds the stream's ARN
    const s = await collector.snapshot();
    expect(s.lambda.mappings).toEqual([expect.objectContaining({ uuid: "esm-1", work })]);
  });
});

describe("the live view across a reshard (local target, mocked clients, a fake limits layer)", () => {
  const options = parseOptions(
    { usage: "view", about: "", flags: {} },
    ["--endpoint", "http://127.0.0.1:1", "--stream", "class-7", "--region", "eu-west-1"],
    {},
  );
  const HALF = "170141183460469231731687303715884105728";
  const LAST = "340282366920938463463374607431768211455";
  const shard = (id: string, counts: Partial<Record<"recordsIn" | "writesThrottled" | "recordsOut", number>>) => ({
    account: "000000000000",
    region: "eu-west-1",
    stream: "class-7",
    shardId: `shardId-00000000000${id}`,
    ...new ShardMeters().totals, // all zero: a shard nothing has touched
    ...counts,
  });
  const layer = (at: number, ...shards: ReturnType<typeof shard>[]): LayerStats => ({
    limits: true,
    at,
    shards,
    recent: {},
  });
  const parent = {
    ShardId: "shardId-000000000000",
    HashKeyRange: { StartingHashKey: "0", EndingHashKey: LAST },
    SequenceNumberRange: { StartingSequenceNumber: "1" },
  };
  afterEach(() => vi.useRealTimers());

  it("redraws the map from ListShards, counts the children from zero, and keeps the parent closed until it is read out", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(10_000);
    // Lesson 04's lease on the parent has reached its end: only the count decides here.
    mocks.dynamodb
      .on(ScanCommand, { TableName: app })
      .resolves({ Items: [{ leaseKey: { S: "shardId-000000000000" }, checkpoint: { S: "SHARD_END" } }] });
    mocks.kinesis.on(ListShardsCommand).resolves({ Shards: [parent] });
    // A hot shard: 1,000 records/s in, 400 refused each second.
    const readings = [
      layer(10_000, shard("0", { recordsIn: 1000, writesThrottled: 400 })),
      layer(11_000, shard("0", { recordsIn: 2000, writesThrottled: 800 })),
      // Split: the parent takes nothing more; one child has had records, the other none yet.
      layer(13_000, shard("0", { recordsIn: 2000, writesThrottled: 800 }), shard("1", { recordsIn: 1000 })),
      layer(14_000, shard("0", { recordsIn: 2000, writesThrottled: 800 }), shard("1", { recordsIn: 2000 })),
      // A reader has read the parent to its end.
      layer(15_000, shard("0", { recordsIn: 2000, writesThrottled: 800, recordsOut: 2000 }), shard("1", {})),
    ];
    const collector = new ViewCollector(options, clients(), async () => readings.shift());
    await collector.snapshot();
    vi.setSystemTime(11_000);
    let s = await collector.snapshot();
    expect(s.description).toMatchObject({ shards: [{ shardId: "shardId-000000000000", open: true }] });
    expect(s.shards.map((x) => [x.shardId, x.open, x.refusedPerSecond])).toEqual([["shardId-000000000000", true, 400]]);

    mocks.kinesis.on(ListShardsCommand).resolves({
      Shards: [
        { ...parent, SequenceNumberRange: { StartingSequenceNumber: "1", EndingSequenceNumber: "99" } },
        {
          ShardId: "shardId-000000000001",
          ParentShardId: "shardId-000000000000",
          HashKeyRange: { StartingHashKey: "0", EndingHashKey: (BigInt(HALF) - 1n).toString() },
          SequenceNumberRange: { StartingSequenceNumber: "100" },
        },
        {
          ShardId: "shardId-000000000002",
          ParentShardId: "shardId-000000000000",
          HashKeyRange: { StartingHashKey: HALF, EndingHashKey: LAST },
          SequenceNumberRange: { StartingSequenceNumber: "101" },
        },
      ],
    });
    vi.setSystemTime(13_000);
    s = await collector.snapshot();
    vi.setSystemTime(14_000);
    s = await collector.snapshot();
    // The map as it is now, read again within the second: two open children, the parent closed.
    expect(s.description).toMatchObject({
      shards: [
        { shardId: "shardId-000000000000", open: false, parents: [], drained: false },
        { shardId: "shardId-000000000001", open: true, parents: ["shardId-000000000000"], drained: undefined },
        { shardId: "shardId-000000000002", open: true, startingHashKey: HALF, endingHashKey: LAST },
      ],
    });
    const byId = (id: string) => s.shards.find((x) => x.shardId === `shardId-00000000000${id}`)!;
    // The parent's refusals stop (its 5-second rate falls as the seconds without any pass);
    // the children start at zero, and the one no record has reached yet has a card too.
    expect(byId("0")).toMatchObject({ open: false, drained: false, totals: { writesThrottled: 800 } });
    expect(byId("0").history.at(-1)).toMatchObject({ records: 0, writesThrottled: 0 });
    expect(byId("0").refusedPerSecond).toBeLessThan(400);
    expect(byId("1")).toMatchObject({ open: true, refusedPerSecond: 0, totals: { writesThrottled: 0 } });
    expect(byId("2")).toMatchObject({ open: true, totals: { recordsIn: 0 } });
    expect(byId("2").history.map((p) => [p.records, p.writesThrottled])).toEqual([
      [0, 0],
      [0, 0],
    ]);

    vi.setSystemTime(15_000);
    s = await collector.snapshot();
    expect(byId("0")).toMatchObject({ open: false, drained: true });
    expect(s.description.found && s.description.shards[0]).toMatchObject({ open: false, drained: true });
  });

  it("calls a closed shard drained only when its records were read out and no KCL lease on it is short of SHARD_END", () => {
    const id = "shardId-000000000000";
    expect(drained({ recordsIn: 10, recordsOut: 9 }, [], id, true)).toBe(false);
    expect(drained({ recordsIn: 10, recordsOut: 10 }, [], id, true)).toBe(true);
    expect(drained(undefined, [], id, true)).toBe(true); // no records counted into it
    expect(drained({ recordsIn: 10, recordsOut: 10 }, [{ shard: id, checkpoint: "49650" }], id, true)).toBe(false);
    expect(drained({ recordsIn: 10, recordsOut: 10 }, [{ shard: id, checkpoint: "SHARD_END" }], id, true)).toBe(true);
    expect(drained({ recordsIn: 0, recordsOut: 0 }, [], id, false)).toBeUndefined(); // AWS: cannot tell
  });

  it("gives the refusals per second over the last 5 s, not since the start", () => {
    const point = (at: number, writesThrottled: number) => ({
      at,
      records: 0,
      bytes: 0,
      writesThrottled,
      reads: 0,
      readsThrottled: 0,
    });
    const history = [point(1000, 900), point(2000, 900), point(7000, 100), point(8000, 0)];
    expect(recentRate(history, 8000)).toBe(50);
    expect(recentRate([], 8000)).toBe(0);
  });
});

describe("the view's guards", () => {
  it("refuses, before anything is sent, a command that writes or reads records", async () => {
    const guarded = viewClients(
      parseOptions({ usage: "view", about: "", flags: {} }, ["--endpoint", "http://127.0.0.1:1"], {}),
    );
    for (const m of Object.values(mocks)) m.restore();
    await expect(
      guarded.kinesis.send(new PutRecordCommand({ StreamName: "s", Data: Buffer.from("x"), PartitionKey: "k" })),
    ).rejects.toThrow("the live view sends reads only, never PutRecordCommand");
    await expect(guarded.kinesis.send(new GetRecordsCommand({ ShardIterator: "x" }))).rejects.toThrow(
      "never GetRecordsCommand",
    );
  });

  it("answers only Host 127.0.0.1 or localhost on its own port (no DNS rebinding)", () => {
    expect(hostAllowed("127.0.0.1:4598", 4598)).toBe(true);
    expect(hostAllowed("localhost:4598", 4598)).toBe(true);
    expect(hostAllowed("attacker.example:4598", 4598)).toBe(false);
    expect(hostAllowed("127.0.0.1:80", 4598)).toBe(false);
    expect(hostAllowed(undefined, 4598)).toBe(false);
  });

  it("tells how far a lease got from its checkpoint and the shard's newest record", () => {
    expect(leaseProgress("100", "100")).toBe("caught up");
    expect(leaseProgress("99", "100")).toBe("behind");
    expect(leaseProgress("SHARD_END", "100")).toBe("shard ended");
    expect(leaseProgress("TRIM_HORIZON", undefined)).toBe("not started");
    expect(leaseProgress("100", undefined)).toBe("");
  });
});
