import { KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { decodeRecord, encodeRecord, RecordTally, resendRefused, toBatches } from "./records.js";

const kinesisMock = mockClient(KinesisClient);
beforeEach(() => kinesisMock.reset());

const entry = (index: number) => ({
  Data: encodeRecord({ runId: "run-t", index, sentAt: 0 }),
  PartitionKey: `k${index}`,
});

const kinesis = new KinesisClient({ region: "us-east-1" });
const putTo = (StreamName: string) => (Records: PutRecordsRequestEntry[]) =>
  kinesis.send(new PutRecordsCommand({ StreamName, Records }));

describe("resendRefused", () => {
  it("sends again only the entries a reply refused, until all are accepted", async () => {
    const entries = [0, 1, 2, 3].map(entry);
    kinesisMock
      .on(PutRecordsCommand)
      .resolvesOnce({
        FailedRecordCount: 2,
        Records: [
          { ShardId: "shard-a", SequenceNumber: "1" },
          { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "slow down" },
          { ShardId: "shard-b", SequenceNumber: "2" },
          { ErrorCode: "InternalFailure", ErrorMessage: "oops" },
        ],
      })
      .resolvesOnce({ FailedRecordCount: 0, Records: [{ ShardId: "shard-c" }, { ShardId: "shard-d" }] });

    const stored: string[] = [];
    const outcome = await resendRefused(entries, putTo("s"), (shardId) => stored.push(shardId));

    expect(outcome).toEqual({ requests: 2, retried: 2, throttled: 1 });
    expect(stored).toEqual(["shard-a", "shard-b", "shard-c", "shard-d"]); // as each was accepted
    const calls = kinesisMock.commandCalls(PutRecordsCommand);
    expect(calls).toHaveLength(2);
    const resent = calls[1]!.args[0].input.Records!.map((r) => decodeRecord(r.Data)?.index);
    expect(resent).toEqual([1, 3]);
  });

  it("gives up with a clear message after the attempt limit, naming what is still refused", async () => {
    kinesisMock.on(PutRecordsCommand).resolves({
      FailedRecordCount: 1,
      Records: [{ ErrorCode: "ProvisionedThroughputExceededException" }],
    });
    await expect(resendRefused([entry(0)], putTo("s"), undefined, 2)).rejects.toThrow(
      /1 of 1 records were still refused after 2 attempts \(ProvisionedThroughputExceededException\)/,
    );
  });
});

describe("toBatches", () => {
  it("cuts at 500 records", () => {
    const sizes = toBatches(Array.from({ length: 1201 }, (_, i) => entry(i))).map((b) => b.length);
    expect(sizes).toEqual([500, 500, 201]);
  });

  it("cuts before a batch would pass the byte limit (data plus keys)", () => {
    const big = { Data: new Uint8Array(400), PartitionKey: "0123456789" };
    expect(toBatches([big, big, big], 820).map((b) => b.length)).toEqual([2, 1]);
    expect(toBatches([big, big, big], 819).map((b) => b.length)).toEqual([1, 1, 1]);
  });
});

describe("RecordTally", () => {
  it("counts records, distinct run id + index pairs and repeats", () => {
    const tally = new RecordTally();
    for (const i of [0, 1, 1, 2]) tally.add(entry(i).Data);
    tally.add(Buffer.from("not json"));
    expect({ records: tally.records, unique: tally.unique, duplicates: tally.duplicates }).toEqual({
      records: 5,
      unique: 3,
      duplicates: 1,
    });
    expect(tally.uniqueFor("run-t")).toBe(3);
    expect(tally.uniqueFor("run-other")).toBe(0);
  });

  it("counts pairs reported without their bytes the same way", () => {
    const tally = new RecordTally();
    for (const i of [4, 5, 4]) tally.addPair("run-log", i);
    expect({ records: tally.records, unique: tally.unique, duplicates: tally.duplicates }).toEqual({
      records: 3,
      unique: 2,
      duplicates: 1,
    });
  });
});
