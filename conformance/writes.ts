// Lesson 02's behaviours: PutRecord and PutRecords, their limits, and where records land.
import {
  PutRecordCommand,
  type PutRecordsCommandOutput,
  PutRecordsCommand,
  type PutRecordsRequestEntry,
  UpdateMaxRecordSizeCommand,
  waitUntilStreamExists,
} from "@aws-sdk/client-kinesis";
import { API, type Check, type CheckContext, Differs, errorOf, expect, GUIDE } from "./check.js";
import { waiterFor } from "../shared/wait.js";
import { hashKeyOf, holding } from "./shard-lineage.js";

const MiB = 1024 * 1024;
const QUOTAS = `${GUIDE}, "Quotas and limits"`;

const entries = (n: number, bytes = 10, key = (i: number) => `key-${i}`): PutRecordsRequestEntry[] =>
  Array.from({ length: n }, (_, i) => ({ Data: Buffer.alloc(bytes, 97), PartitionKey: key(i) }));

/** Put `batches` PutRecords at once; how many entries were refused for the shard's limit. */
async function throttledOf(ctx: CheckContext, StreamName: string, batches: PutRecordsRequestEntry[][]) {
  const replies = await Promise.all(
    batches.map((Records) => ctx.kinesis.send(new PutRecordsCommand({ StreamName, Records }))),
  );
  const refused = (r: PutRecordsCommandOutput) =>
    (r.Records ?? []).filter((e) => e.ErrorCode === "ProvisionedThroughputExceededException").length;
  return replies.reduce((n, r) => n + refused(r), 0);
}

export const WRITE_CHECKS: Check[] = [
  {
    id: "writes.record-rate",
    group: "writes",
    lesson: "02",
    aws: "a shard takes 1,000 records a second: 2,000 at once are partly refused",
    source: `${QUOTAS}: "1,000 records per second" per shard for writes`,
    async run(ctx) {
      const { name } = await ctx.stream("records", 1);
      const refused = await throttledOf(ctx, name, [entries(500), entries(500), entries(500), entries(500)]);
      return expect(refused > 0, `${refused} of 2,000 refused with ProvisionedThroughputExceededException`);
    },
  },
  {
    id: "writes.byte-rate",
    group: "writes",
    lesson: "02",
    aws: "a shard takes 1 MiB a second: 3 MiB at once are partly refused",
    source: `${QUOTAS}: "1 MB per second" per shard for writes`,
    async run(ctx) {
      const { name } = await ctx.stream("bytes", 1);
      const batch = () => entries(12, 256 * 1024 - 10); // 3 MiB in 12 records of 256 KiB each
      const refused = await throttledOf(ctx, name, [batch()]);
      return expect(refused > 0, `${refused} of 12 records of 256 KiB refused`);
    },
  },
  {
    id: "writes.on-demand-rate",
    group: "writes",
    lesson: "02",
    aws: "a new on-demand stream takes 4 MB/s: 2,000 small records at once are all taken",
    source: `${GUIDE}, "Choose the data stream capacity mode": a new on-demand stream has 4 MB/s of write capacity`,
    async run(ctx) {
      const { name } = await ctx.stream("on-demand");
      const refused = await throttledOf(ctx, name, [entries(500), entries(500), entries(500), entries(500)]);
      return expect(refused === 0, `${refused} of 2,000 refused`);
    },
  },
  {
    id: "writes.partial-failure-shape",
    group: "writes",
    lesson: "02",
    aws: "PutRecords is not all-or-nothing: FailedRecordCount, and an ErrorCode and ErrorMessage per refused entry",
    source: `${API}, PutRecords: "A single record failure does not stop the processing of subsequent records"`,
    async run(ctx) {
      const { name } = await ctx.stream("partial", 1);
      const Records = entries(500);
      const [first, second] = await Promise.all(
        [Records, Records].map((r) => ctx.kinesis.send(new PutRecordsCommand({ StreamName: name, Records: r }))),
      );
      const all = [...(first!.Records ?? []), ...(second!.Records ?? [])];
      const failed = all.filter((r) => r.ErrorCode);
      const shaped =
        failed.every((r) => r.ErrorMessage && !r.SequenceNumber) &&
        all.filter((r) => !r.ErrorCode).every((r) => r.SequenceNumber && r.ShardId) &&
        (first!.FailedRecordCount ?? 0) + (second!.FailedRecordCount ?? 0) === failed.length;
      return expect(
        failed.length > 0 && shaped,
        `${failed.length} refused of 1,000, ${shaped ? "in" : "not in"} AWS's shape`,
      );
    },
  },
  {
    id: "writes.500-entries",
    group: "writes",
    lesson: "02",
    aws: "PutRecords takes at most 500 entries: 501 → ValidationException",
    source: `${API}, PutRecords: "Each PutRecords request can support up to 500 records"`,
    async run(ctx) {
      const { name } = await ctx.stream("entries", 1);
      const error = await errorOf(ctx.kinesis.send(new PutRecordsCommand({ StreamName: name, Records: entries(501) })));
      return expect(error?.name === "ValidationException", error?.name ?? "accepted");
    },
  },
  {
    id: "writes.request-size",
    group: "writes",
    lesson: "02",
    aws: "a PutRecords request may carry up to 10 MiB: 6 MiB is accepted",
    source: `${API}, PutRecords: "up to a limit of 10 MiB for the entire request"`,
    async run(ctx) {
      const { name } = await ctx.stream("request", 8);
      const Records = entries(24, 256 * 1024 - 10, (i) => `spread-${i}`); // 6 MiB over eight shards
      const error = await errorOf(ctx.kinesis.send(new PutRecordsCommand({ StreamName: name, Records })));
      return expect(!error, error ? `refused: ${error.name}: ${error.message.slice(0, 80)}` : "accepted");
    },
  },
  {
    id: "writes.record-size",
    group: "writes",
    lesson: "02",
    aws: "a record over 1 MiB is refused with ValidationException",
    source: `${QUOTAS}: "The maximum size of a data blob ... is 1 MiB" by default`,
    async run(ctx) {
      const { name } = await ctx.stream("record", 1);
      const Data = Buffer.alloc(MiB + 1, 97);
      const error = await errorOf(
        ctx.kinesis.send(new PutRecordCommand({ StreamName: name, Data, PartitionKey: "k" })),
      );
      return expect(error?.name === "ValidationException", error?.name ?? "accepted");
    },
  },
  {
    id: "writes.update-max-record-size",
    group: "writes",
    lesson: "02",
    aws: "UpdateMaxRecordSize raises a stream's record limit, up to 10 MiB",
    source: `${API}, UpdateMaxRecordSize: "the maximum record size ... up to 10 MiB"`,
    async run(ctx) {
      const { name, arn } = await ctx.stream("large", 1);
      const raised = await errorOf(
        ctx.kinesis.send(new UpdateMaxRecordSizeCommand({ StreamARN: arn, MaxRecordSizeInKiB: 2048 })),
      );
      if (raised) throw new Differs(`UpdateMaxRecordSize refused: ${raised.name}`);
      await waitUntilStreamExists(waiterFor(ctx.kinesis, 60), { StreamName: name });
      const Data = Buffer.alloc(1.5 * MiB, 97);
      const put = await errorOf(ctx.kinesis.send(new PutRecordCommand({ StreamName: name, Data, PartitionKey: "k" })));
      return expect(
        !put,
        put ? `raised, then a 1.5 MiB record refused: ${put.name}` : "raised to 2 MiB; a 1.5 MiB record taken",
      );
    },
  },
  {
    id: "writes.md5-placement",
    group: "writes",
    lesson: "02",
    aws: "a record goes to the shard whose hash-key range holds the MD5 of its partition key",
    source: `${GUIDE}, "Terminology": "Kinesis Data Streams uses MD5 to map partition keys to 128-bit integer values"`,
    async run(ctx) {
      const { name, shards } = await ctx.stream("md5", 4);
      const misplaced: string[] = [];
      for (const key of ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]) {
        const { ShardId } = await ctx.kinesis.send(
          new PutRecordCommand({ StreamName: name, Data: Buffer.from(key), PartitionKey: key }),
        );
        const expected = holding(shards, hashKeyOf(key))?.ShardId;
        if (ShardId !== expected) misplaced.push(`${key} → ${ShardId}, not ${expected}`);
      }
      return expect(misplaced.length === 0, misplaced.length ? misplaced.join("; ") : "8 of 8 keys where MD5 says");
    },
  },
  {
    id: "writes.explicit-hash-key",
    group: "writes",
    lesson: "02",
    aws: "ExplicitHashKey, not the partition key, chooses the shard",
    source: `${API}, PutRecord: "ExplicitHashKey: The hash value used to explicitly determine the shard"`,
    async run(ctx) {
      const { name, shards } = await ctx.stream("explicit", 4);
      const last = shards.at(-1)!;
      const { ShardId } = await ctx.kinesis.send(
        new PutRecordCommand({
          StreamName: name,
          Data: Buffer.from("x"),
          PartitionKey: "alpha",
          ExplicitHashKey: last.HashKeyRange!.EndingHashKey,
        }),
      );
      return expect(ShardId === last.ShardId, `went to ${ShardId}`);
    },
  },
];
