import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeStreamSummaryCommand,
  KinesisClient,
  PutRecordCommand,
  PutRecordsCommand,
  ResourceNotFoundException,
  type StreamDescriptionSummary,
} from "@aws-sdk/client-kinesis";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { offlineOptions } from "../test/emulator.js";
import { partial } from "../test/partial.js";
import { explain } from "../shared/index.js";
import { decodeRecord } from "../shared/records.js";
import { lesson, main, partitionKeyFor } from "./main.js";

const kinesisMock = mockClient(KinesisClient);
const options = (...argv: string[]) => offlineOptions(lesson, ...argv);

beforeEach(() => {
  kinesisMock.reset();
  kinesisMock.on(DescribeStreamSummaryCommand).resolves({
    StreamDescriptionSummary: partial<StreamDescriptionSummary>({ OpenShardCount: 1 }),
  });
});

describe("lesson 02 (mocked Kinesis)", () => {
  it("resubmits the entries a PutRecords reply refused and counts them as retried", async () => {
    kinesisMock
      .on(PutRecordsCommand)
      .resolvesOnce({
        FailedRecordCount: 1,
        Records: [
          { ShardId: "shardId-0" },
          { ErrorCode: "ProvisionedThroughputExceededException" },
          { ShardId: "shardId-1" },
        ],
      })
      .resolves({ FailedRecordCount: 0, Records: [{ ShardId: "shardId-1" }] });

    const summary = await main(options("--count", "3"));

    expect(summary).toMatchObject({ sent: 3, retried: 1, perShard: { "shardId-0": 1, "shardId-1": 2 } });
    const indexes = kinesisMock
      .commandCalls(PutRecordsCommand)
      .flatMap((c) => c.args[0].input.Records!.map((r) => decodeRecord(r.Data)!.index));
    expect(indexes).toEqual([0, 1, 2, 1]);
  });

  it("with --rate 2000, sends a tenth of a second's records a request, on a clock: the third of 600 records' requests goes at 0.2 s", async () => {
    kinesisMock.on(PutRecordsCommand).callsFake((input) => ({
      FailedRecordCount: 0,
      Records: input.Records.map(() => ({ ShardId: "shardId-0" })),
    }));
    const started = performance.now();
    const summary = await main(options("--count", "600", "--rate", "2000"));
    expect(summary.sent).toBe(600);
    expect(kinesisMock.commandCalls(PutRecordsCommand).map((c) => c.args[0].input.Records!.length)).toEqual([
      200, 200, 200,
    ]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(195); // the third request at 0.2 s
  });

  it("sends 1,201 records as PutRecords batches of 500, 500 and 201", async () => {
    kinesisMock.on(PutRecordsCommand).callsFake((input) => ({
      FailedRecordCount: 0,
      Records: input.Records.map(() => ({ ShardId: "shardId-0" })),
    }));
    const summary = await main(options("--count", "1201"));
    expect(summary.sent).toBe(1201);
    expect(kinesisMock.commandCalls(PutRecordsCommand).map((c) => c.args[0].input.Records!.length)).toEqual([
      500, 500, 201,
    ]);
  });

  it("uses one PutRecord per record with --single", async () => {
    kinesisMock.on(PutRecordCommand).resolves({ ShardId: "shardId-0", SequenceNumber: "1" });
    const summary = await main(options("--count", "4", "--single"));
    expect(summary.sent).toBe(4);
    expect(kinesisMock.commandCalls(PutRecordCommand)).toHaveLength(4);
    expect(kinesisMock.commandCalls(PutRecordsCommand)).toHaveLength(0);
  });

  it("refuses a file over the stream's record size before sending anything", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "lesson02-")), "big.bin");
    writeFileSync(file, Buffer.alloc(1024 * 1024)); // exactly 1 MiB: with its key, one byte too many
    await expect(main(options("--file", file))).rejects.toThrow(
      /is 1,048,\d+ bytes with its key, over this stream's 1,048,576-byte record limit/,
    );
    expect(kinesisMock.commandCalls(PutRecordsCommand)).toHaveLength(0);
  });

  it("says to run lesson 01 when the stream does not exist", async () => {
    kinesisMock
      .on(DescribeStreamSummaryCommand)
      .rejects(new ResourceNotFoundException({ message: "Stream s under account 1 not found.", $metadata: {} }));
    const error = await main(options("--count", "1")).catch((e) => e);
    expect(explain(error, { target: "local", stream: "s" }).message).toMatch(
      /^stream s not found on local: run lesson 01 first/,
    );
  });

  it("picks partition keys by strategy", () => {
    const record = { runId: "run-x", index: 7, sentAt: 0 };
    expect(partitionKeyFor("fixed")(record)).toBe("workshop");
    expect(partitionKeyFor("index")(record)).toBe("7");
    expect(partitionKeyFor("random")(record)).not.toBe(partitionKeyFor("random")(record));
    expect(() => partitionKeyFor("colour")).toThrow(/--key must be random, fixed, or a record field/);
  });
});
