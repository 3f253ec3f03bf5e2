import type { KinesisStreamEvent } from "aws-lambda";
import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { decodeRecord, encodeRecord } from "../shared/records.js";
import { handler, POISON } from "./handler.js";

const kinesisMock = mockClient(KinesisClient);
const event = (bodies: unknown[]): KinesisStreamEvent => ({
  Records: bodies.map((body, index) => ({
    kinesis: {
      kinesisSchemaVersion: "1.0",
      partitionKey: `key-${index}`,
      sequenceNumber: `${1000 + index}`,
      data: Buffer.from(
        typeof body === "string" && body.startsWith("raw:")
          ? body.slice(4)
          : encodeRecord({ runId: "run-h", index, sentAt: 1_000, body }),
      ).toString("base64"),
      approximateArrivalTimestamp: 1,
    },
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    eventID: `shardId-0:${1000 + index}`,
    eventName: "aws:kinesis:record",
    invokeIdentityArn: "arn:aws:iam::1:role/r",
    awsRegion: "us-east-1",
    eventSourceARN: "arn:aws:kinesis:us-east-1:1:stream/s",
  })),
});

let lines: string[];
beforeEach(() => {
  kinesisMock.reset();
  lines = [];
  vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
  vi.spyOn(Date, "now").mockReturnValue(1_250);
});
afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.COPY_TO_STREAM;
  delete process.env.POISON_MODE;
});

describe("the lesson 05 handler", () => {
  it("logs one line per record with its run id, index and latency", async () => {
    const result = await handler(event(["a", "b"]));
    expect(lines).toEqual(["seen run-h #0 after 250 ms", "seen run-h #1 after 250 ms"]);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(kinesisMock.calls()).toHaveLength(0); // no copies stream set: no writes
  });

  it("reports poison and foreign records as batch item failures instead of throwing", async () => {
    const result = await handler(event(["ok", POISON, "raw:not json"]));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "1001" }, { itemIdentifier: "1002" }]);
    expect(lines[0]).toBe("seen run-h #0 after 250 ms");
    expect(lines.slice(1)).toEqual([
      "cannot process run-h #1 (poison), sequence number 1001, in a batch of 3",
      "cannot process a record that is not a workshop record, sequence number 1002, in a batch of 3",
    ]);
  });

  it("with POISON_MODE=throw, throws on the poison record: the whole batch fails", async () => {
    process.env.POISON_MODE = "throw";
    await expect(handler(event(["ok", POISON, "later"]))).rejects.toThrow("cannot process run-h #1 (poison)");
    expect(lines).toEqual([
      "seen run-h #0 after 250 ms",
      "cannot process run-h #1 (poison), sequence number 1001, in a batch of 3",
    ]);
  });

  it("with COPY_TO_STREAM, writes an upper-cased copy of each good record under the same key", async () => {
    process.env.COPY_TO_STREAM = "copies";
    kinesisMock.on(PutRecordsCommand).resolves({ FailedRecordCount: 0, Records: [{ ShardId: "s" }, { ShardId: "s" }] });
    await handler(event(["hello", POISON, "world"]));
    const input = kinesisMock.commandCalls(PutRecordsCommand)[0]!.args[0].input;
    expect(input.StreamName).toBe("copies");
    expect(input.Records!.map((r) => [r.PartitionKey, decodeRecord(r.Data)!.body])).toEqual([
      ["key-0", "HELLO"],
      ["key-2", "WORLD"],
    ]);
  });
});
