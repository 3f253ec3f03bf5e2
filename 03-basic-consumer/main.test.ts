import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  type Shard,
} from "@aws-sdk/client-kinesis";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { offlineOptions } from "../test/emulator.js";
import { partial } from "../test/partial.js";
import { encodeRecord } from "../shared/records.js";
import { lesson, main } from "./main.js";
import { startingPosition } from "./starting-position.js";

const kinesisMock = mockClient(KinesisClient);
const options = (...argv: string[]) => offlineOptions(lesson, ...argv);
const rec = (index: number) => ({
  SequenceNumber: String(100 + index),
  PartitionKey: "k",
  Data: encodeRecord({ runId: "run-t", index, sentAt: 0 }),
});

beforeEach(() => kinesisMock.reset());

describe("startingPosition", () => {
  it("maps every --from to its ShardIteratorType", () => {
    expect(startingPosition("trim-horizon")).toEqual({ ShardIteratorType: "TRIM_HORIZON" });
    expect(startingPosition("latest")).toEqual({ ShardIteratorType: "LATEST" });
    expect(startingPosition("at-sequence:123")).toEqual({
      ShardIteratorType: "AT_SEQUENCE_NUMBER",
      StartingSequenceNumber: "123",
    });
    expect(startingPosition("after-sequence:9")).toEqual({
      ShardIteratorType: "AFTER_SEQUENCE_NUMBER",
      StartingSequenceNumber: "9",
    });
    expect(startingPosition("at-timestamp:2026-11-25T10:00:00Z")).toEqual({
      ShardIteratorType: "AT_TIMESTAMP",
      Timestamp: new Date("2026-11-25T10:00:00Z"),
    });
  });

  it.each([
    ["sideways", /unknown --from 'sideways'/],
    ["at-sequence:12ab", /'12ab' is not a sequence number/],
    ["at-timestamp:yesterday", /'yesterday' is not a timestamp/],
  ])("refuses %s", (from, message) => expect(() => startingPosition(from)).toThrow(message));
});

describe("lesson 03 (mocked Kinesis)", () => {
  it("recovers from an expired iterator after the last record seen, losing and repeating nothing", async () => {
    kinesisMock.on(ListShardsCommand).resolves({ Shards: [partial<Shard>({ ShardId: "shardId-0" })] });
    kinesisMock
      .on(GetShardIteratorCommand)
      .resolvesOnce({ ShardIterator: "it-1" })
      .resolves({ ShardIterator: "it-renewed" });
    kinesisMock
      .on(GetRecordsCommand, { ShardIterator: "it-1" })
      .resolves({ Records: [rec(0), rec(1)], NextShardIterator: "it-2", MillisBehindLatest: 10 })
      .on(GetRecordsCommand, { ShardIterator: "it-2" })
      .rejects(new ExpiredIteratorException({ message: "Iterator expired", $metadata: {} }))
      .on(GetRecordsCommand, { ShardIterator: "it-renewed" })
      .resolves({ Records: [rec(2)], NextShardIterator: "it-3", MillisBehindLatest: 0 })
      .on(GetRecordsCommand, { ShardIterator: "it-3" })
      .resolves({ Records: [], NextShardIterator: "it-4", MillisBehindLatest: 0 });

    const summary = await main(options());

    expect(summary).toMatchObject({ records: 3, unique: 3, duplicates: 0, emptyReads: 1, renewedIterators: 1 });
    const renewal = kinesisMock.commandCalls(GetShardIteratorCommand)[1]!.args[0].input;
    expect(renewal).toMatchObject({ ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: "101" });
  });

  it("reads the children of a closed shard after it, from their beginning", async () => {
    kinesisMock.on(ListShardsCommand).resolves({
      Shards: [
        { ShardId: "parent" },
        { ShardId: "child-a", ParentShardId: "parent" },
        { ShardId: "child-b", ParentShardId: "parent" },
      ].map(partial<Shard>),
    });
    kinesisMock
      .on(GetShardIteratorCommand)
      .callsFake((input) => ({ ShardIterator: `${input.ShardId}:${input.ShardIteratorType}` }));
    kinesisMock
      .on(GetRecordsCommand, { ShardIterator: "parent:TRIM_HORIZON" })
      .resolves({ Records: [rec(0)], MillisBehindLatest: 0 }) // no NextShardIterator: closed
      .on(GetRecordsCommand, { ShardIterator: "child-a:TRIM_HORIZON" })
      .resolves({ Records: [rec(1)], NextShardIterator: "done", MillisBehindLatest: 0 })
      .on(GetRecordsCommand, { ShardIterator: "child-b:TRIM_HORIZON" })
      .resolves({ Records: [rec(2)], NextShardIterator: "done", MillisBehindLatest: 0 })
      .on(GetRecordsCommand, { ShardIterator: "done" })
      .resolves({ Records: [], NextShardIterator: "done", MillisBehindLatest: 0 });

    const summary = await main(options());

    expect(summary).toMatchObject({ records: 3, unique: 3, perShard: { parent: 1, "child-a": 1, "child-b": 1 } });
    const order = kinesisMock.commandCalls(GetShardIteratorCommand).map((c) => c.args[0].input.ShardId);
    expect(order[0]).toBe("parent");
  });

  it("asks for --shard when a sequence number is given on a stream of many shards", async () => {
    kinesisMock.on(ListShardsCommand).resolves({ Shards: [{ ShardId: "a" }, { ShardId: "b" }].map(partial<Shard>) });
    await expect(main(options("--from", "at-sequence:1"))).rejects.toThrow(
      /a sequence number belongs to one shard: add --shard/,
    );
  });
});
