// The limits layer in front of a real MiniStack of the test's own: AWS's per-shard
// limits, refused the way AWS refuses, over HTTP/1.1 and HTTP/2 (h2c).
import { connect } from "node:http2";
import { performance } from "node:perf_hooks";
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  PutRecordCommand,
  PutRecordsCommand,
  ProvisionedThroughputExceededException,
} from "@aws-sdk/client-kinesis";
import { describe, expect, it } from "vitest";
import * as lesson01 from "../01-make-a-stream/main.js";
import * as lesson02 from "../02-produce-data/main.js";
import * as lesson03 from "../03-basic-consumer/main.js";
import { restartLayer } from "../local/emulator.js";
import { EMULATOR_CREDENTIALS } from "../shared/index.js";
import type { ShardStats } from "../local/stats.js";
import { localOptions, useTestEmulator, type TestEmulator } from "./emulator.js";

const testEmulator = useTestEmulator();

/** A plain SDK client that does not retry: every refusal reaches the test. */
const plainClient = (e: TestEmulator) =>
  new KinesisClient({ region: "us-east-1", endpoint: e.endpoint, credentials: EMULATOR_CREDENTIALS, maxAttempts: 1 });

async function makeStream(stream: string, shards: number) {
  await lesson01.main(localOptions(lesson01.lesson, testEmulator.current, stream, "--shards", String(shards)));
}

async function timedPut(stream: string, count: number) {
  const started = performance.now();
  const summary = await lesson02.main(
    localOptions(lesson02.lesson, testEmulator.current, stream, "--count", String(count)),
  );
  return { seconds: (performance.now() - started) / 1000, summary };
}

async function layerStats(stream: string): Promise<ShardStats[]> {
  const body = (await (await fetch(`${testEmulator.current.endpoint}/_workshop/stats`)).json()) as {
    shards: ShardStats[];
  };
  return body.shards.filter((s) => s.stream === stream);
}

describe("the write limit: 1,000 records a second per shard", () => {
  it("takes 3,000 batched records into 1 shard in no less than 2.5 s, into 4 shards at least 3× faster, and loses none", async () => {
    await makeStream("w1", 1);
    await makeStream("w4", 4);

    const one = await timedPut("w1", 3000);
    const four = await timedPut("w4", 3000);

    expect(one.summary.sent).toBe(3000);
    expect(one.summary.throttled).toBeGreaterThan(0); // the shard refused some, lesson 02 sent them again
    expect(one.seconds).toBeGreaterThanOrEqual(2.5); // 500 at once, then 1,000 a second
    expect(one.summary.recordsPerSecond).toBeLessThanOrEqual(1.25 * one.summary.writeLimit);
    expect(four.summary.sent).toBe(3000);
    expect(one.seconds / four.seconds).toBeGreaterThanOrEqual(3);

    // Every record a shard accepted is there once; none of the refused ones slipped in twice.
    const read = await lesson03.main(localOptions(lesson03.lesson, testEmulator.current, "w1"));
    expect(read).toMatchObject({ records: 3000, unique: 3000, duplicates: 0 });

    const [shard] = await layerStats("w1");
    expect(shard).toMatchObject({ shardId: "shardId-000000000000", recordsIn: 3000 });
    expect(shard!.writesThrottled).toBe(one.summary.throttled);
  }, 120_000);

  it("answers a PutRecords over the limit with HTTP 200, refused entries in place, and stores only the accepted ones", async () => {
    await makeStream("partial", 1);
    const kinesis = plainClient(testEmulator.current);
    const Records = Array.from({ length: 500 }, (_, i) => ({ Data: Buffer.from(`r${i}`), PartitionKey: `k${i}` }));
    const first = await kinesis.send(new PutRecordsCommand({ StreamName: "partial", Records }));
    const second = await kinesis.send(new PutRecordsCommand({ StreamName: "partial", Records }));
    kinesis.destroy();

    expect(first.FailedRecordCount).toBe(0);
    expect(second.$metadata.httpStatusCode).toBe(200);
    // The first call spent the shard's 500-record burst; the second, sent right after it, finds at most
    // what refilled meanwhile (1,000 a second: 250 if a loaded machine took a quarter of a second).
    expect(second.FailedRecordCount).toBeGreaterThanOrEqual(250);
    expect(second.Records).toHaveLength(500);
    const refused = second.Records!.filter((r) => r.ErrorCode);
    expect(refused).toHaveLength(second.FailedRecordCount!);
    expect(refused[0]).toEqual({
      ErrorCode: "ProvisionedThroughputExceededException",
      ErrorMessage: "Rate exceeded for shard shardId-000000000000 in stream partial under account 000000000000.",
    });
    const accepted = second.Records!.filter((r) => !r.ErrorCode);
    for (const r of accepted)
      expect(r).toMatchObject({ ShardId: "shardId-000000000000", SequenceNumber: expect.stringMatching(/^\d+$/) });

    // What is stored is exactly the first 500 and the accepted entries of the second call.
    const read = await lesson03.main(localOptions(lesson03.lesson, testEmulator.current, "partial"));
    expect(read.records).toBe(500 + accepted.length);
  });

  it("refuses a PutRecord over the limit with HTTP 400 ProvisionedThroughputExceededException", async () => {
    await makeStream("single", 1);
    const kinesis = plainClient(testEmulator.current);
    // Ten records of 300 KiB at once: 3 MiB into a shard that takes 1 MiB a second.
    const Data = Buffer.alloc(300 * 1024, 1);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        kinesis.send(new PutRecordCommand({ StreamName: "single", Data, PartitionKey: `k${i}` })),
      ),
    );
    kinesis.destroy();
    const refused = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason] : []));
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(refused[0].$metadata.httpStatusCode).toBe(400);
    expect(refused[0].message).toBe(
      "Rate exceeded for shard shardId-000000000000 in stream single under account 000000000000.",
    );
  });
});

describe("the read limit: 5 GetRecords calls a second per shard", () => {
  it("refuses at least 10 of 20 calls made within a second by a plain SDK client", async () => {
    await makeStream("r1", 1);
    const kinesis = plainClient(testEmulator.current);
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: "r1",
        ShardId: "shardId-000000000000",
        ShardIteratorType: "TRIM_HORIZON",
      }),
    );
    const started = performance.now();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => kinesis.send(new GetRecordsCommand({ ShardIterator }))),
    );
    expect(performance.now() - started).toBeLessThan(1000);
    kinesis.destroy();
    const refused = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason] : []));
    expect(refused.length).toBeGreaterThanOrEqual(10);
    for (const error of refused) expect(error).toBeInstanceOf(ProvisionedThroughputExceededException);
  });

  it("lets lesson 03 read with --limit 10, paced within the limit", async () => {
    await makeStream("paced", 1);
    await timedPut("paced", 100);
    const started = performance.now();
    const read = await lesson03.main(localOptions(lesson03.lesson, testEmulator.current, "paced", "--limit", "10"));
    expect(read).toMatchObject({ records: 100, unique: 100 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(10 * 200 - 50); // 11 calls, 200 ms apart
  });
});

describe("HTTP/2 without TLS (h2c), as the AWS SDK for Java speaks it", () => {
  it("answers a Kinesis call made over HTTP/2 with prior knowledge", async () => {
    const session = connect(testEmulator.current.endpoint);
    const body = JSON.stringify({ StreamName: "r1" });
    const reply = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = session.request({
        ":method": "POST",
        ":path": "/",
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "Kinesis_20131202.DescribeStreamSummary",
        authorization:
          "AWS4-HMAC-SHA256 Credential=test/20261126/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0",
      });
      let status = 0;
      let text = "";
      request.on("response", (headers) => (status = Number(headers[":status"])));
      request.on("data", (chunk) => (text += chunk));
      request.on("end", () => resolve({ status, text }));
      request.on("error", reject);
      request.end(body);
    });
    session.close();
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text).StreamDescriptionSummary).toMatchObject({ StreamName: "r1", OpenShardCount: 1 });
  });
});

describe("limits off", () => {
  it("counts but refuses nothing: the emulator's own speed is back", async () => {
    await makeStream("off", 1);
    await restartLayer(testEmulator.current.paths, false);
    try {
      const off = await timedPut("off", 3000);
      expect(off.summary).toMatchObject({ sent: 3000, retried: 0, throttled: 0 });
      expect(off.seconds).toBeLessThan(2.5 / 3); // a third of the limited time, at most
      const [shard] = await layerStats("off");
      expect(shard).toMatchObject({ recordsIn: 3000, writesThrottled: 0 });
    } finally {
      await restartLayer(testEmulator.current.paths, true);
    }
  });
});
