// Lesson 03's behaviours: shard iterators, GetRecords, and the read limits.
import { setTimeout as sleep } from "node:timers/promises";
import {
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  PutRecordsCommand,
  KinesisClient,
} from "@aws-sdk/client-kinesis";
import { clientFor } from "../shared/clients.js";
import { API, type Check, type CheckContext, errorOf, expect, GUIDE } from "./check.js";

/** A one-shard stream holding `n` records (bodies "0", "1", …), put in one request. */
async function filled(ctx: CheckContext, what: string, n: number) {
  const { name, shards } = await ctx.stream(what, 1);
  const Records = Array.from({ length: n }, (_, i) => ({ Data: Buffer.from(String(i)), PartitionKey: `k${i}` }));
  const { Records: put = [] } = n
    ? await ctx.kinesis.send(new PutRecordsCommand({ StreamName: name, Records }))
    : { Records: [] };
  const iterator = async (input: Partial<GetShardIteratorCommandInput>) =>
    (
      await ctx.kinesis.send(
        new GetShardIteratorCommand({
          StreamName: name,
          ShardId: shards[0]!.ShardId,
          ShardIteratorType: "TRIM_HORIZON",
          ...input,
        }),
      )
    ).ShardIterator!;
  return { name, sequences: put.map((r) => r.SequenceNumber!), iterator };
}

const bodies = (records: { Data?: Uint8Array }[] = []) => records.map((r) => Buffer.from(r.Data ?? []).toString());

export const READ_CHECKS: Check[] = [
  {
    id: "reads.iterator-types",
    group: "reads",
    lesson: "03",
    aws: "TRIM_HORIZON, AT_ and AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP and LATEST start where they say",
    source: `${API}, GetShardIterator: ShardIteratorType`,
    async run(ctx) {
      const before = new Date(Date.now() - 60_000);
      const { sequences, iterator } = await filled(ctx, "iterators", 3);
      const first = async (input: Partial<GetShardIteratorCommandInput>) =>
        bodies((await ctx.kinesis.send(new GetRecordsCommand({ ShardIterator: await iterator(input) }))).Records)[0] ??
        "nothing";
      const got = {
        TRIM_HORIZON: await first({}),
        AT_SEQUENCE_NUMBER: await first({
          ShardIteratorType: "AT_SEQUENCE_NUMBER",
          StartingSequenceNumber: sequences[1],
        }),
        AFTER_SEQUENCE_NUMBER: await first({
          ShardIteratorType: "AFTER_SEQUENCE_NUMBER",
          StartingSequenceNumber: sequences[1],
        }),
        AT_TIMESTAMP: await first({ ShardIteratorType: "AT_TIMESTAMP", Timestamp: before }),
        LATEST: await first({ ShardIteratorType: "LATEST" }),
      };
      const wanted = {
        TRIM_HORIZON: "0",
        AT_SEQUENCE_NUMBER: "1",
        AFTER_SEQUENCE_NUMBER: "2",
        AT_TIMESTAMP: "0",
        LATEST: "nothing",
      };
      return expect(JSON.stringify(got) === JSON.stringify(wanted), JSON.stringify(got));
    },
  },
  {
    id: "reads.limit",
    group: "reads",
    lesson: "03",
    aws: "GetRecords returns at most Limit records",
    source: `${API}, GetRecords: "Limit: The maximum number of records to return"`,
    async run(ctx) {
      const { iterator } = await filled(ctx, "limit", 5);
      const { Records = [] } = await ctx.kinesis.send(
        new GetRecordsCommand({ ShardIterator: await iterator({}), Limit: 2 }),
      );
      return expect(Records.length === 2, `${Records.length} record(s) for Limit 2`);
    },
  },
  {
    id: "reads.empty-read-advances",
    group: "reads",
    lesson: "03",
    aws: "a read that finds nothing still returns a NextShardIterator to go on with",
    source: `${API}, GetRecords: "NextShardIterator: The next position in the shard from which to start sequentially reading"`,
    async run(ctx) {
      const { iterator } = await filled(ctx, "empty", 0);
      const ShardIterator = await iterator({ ShardIteratorType: "LATEST" });
      const page = await ctx.kinesis.send(new GetRecordsCommand({ ShardIterator }));
      const ok = (page.Records ?? []).length === 0 && Boolean(page.NextShardIterator);
      return expect(ok, `${(page.Records ?? []).length} records, ${page.NextShardIterator ? "a" : "no"} next iterator`);
    },
  },
  {
    id: "reads.caught-up",
    group: "reads",
    lesson: "03",
    aws: "MillisBehindLatest is 0 once the reader has caught up",
    source: `${API}, GetRecords: "A value of zero indicates that record processing is caught up"`,
    async run(ctx) {
      const { iterator } = await filled(ctx, "caught-up", 3);
      let ShardIterator: string | undefined = await iterator({});
      let behind: number | undefined;
      for (let i = 0; i < 5 && ShardIterator; i++) {
        const page: GetRecordsCommandOutput = await ctx.kinesis.send(new GetRecordsCommand({ ShardIterator }));
        behind = page.MillisBehindLatest;
        if ((page.Records ?? []).length === 0) break;
        ShardIterator = page.NextShardIterator;
        await sleep(250);
      }
      return expect(behind === 0, `MillisBehindLatest ${behind}`);
    },
  },
  {
    id: "reads.malformed-iterator",
    group: "reads",
    lesson: "03",
    aws: "a shard iterator that was never issued is refused (AWS lists InvalidArgumentException or ExpiredIteratorException)",
    source: `${API}, GetRecords: Errors`,
    async run(ctx) {
      const error = await errorOf(ctx.kinesis.send(new GetRecordsCommand({ ShardIterator: "AAAAnot-an-iterator" })));
      const ok = error?.name === "InvalidArgumentException" || error?.name === "ExpiredIteratorException";
      return expect(ok, error?.name ?? "accepted");
    },
  },
  {
    id: "reads.call-rate",
    group: "reads",
    lesson: "03",
    aws: "a shard serves 5 GetRecords calls a second: 10 at once are partly refused",
    source: `${GUIDE}, "Quotas and limits": "GetRecords ... 5 transactions per second" per shard`,
    async run(ctx) {
      const { iterator } = await filled(ctx, "reads", 1);
      const ShardIterator = await iterator({});
      // No retries by the SDK: it would retry each refused call until it got through.
      const once = clientFor(KinesisClient, ctx.options, { maxAttempts: 1 });
      const errors = await Promise.all(
        Array.from({ length: 10 }, () => errorOf(once.send(new GetRecordsCommand({ ShardIterator })))),
      );
      const refused = errors.filter((e) => e?.name === "ProvisionedThroughputExceededException").length;
      return expect(refused > 0, `${refused} of 10 refused`);
    },
  },
  {
    id: "reads.at-timestamp-precision",
    group: "reads",
    lesson: "03",
    aws: "AT_TIMESTAMP counts milliseconds: at a record's arrival it includes it, 1 ms later it skips it",
    source: `${API}, GetShardIterator: "Timestamp: The time stamp of the data record from which to start reading ... precision of milliseconds"`,
    async run(ctx) {
      const { name, iterator } = await filled(ctx, "timestamp", 1);
      const first = await ctx.kinesis.send(new GetRecordsCommand({ ShardIterator: await iterator({}) }));
      const arrived = first.Records?.[0]?.ApproximateArrivalTimestamp;
      if (!arrived) return expect(false, `no record read back from ${name}`);
      const from = async (ms: number) =>
        (
          await ctx.kinesis.send(
            new GetRecordsCommand({
              ShardIterator: await iterator({ ShardIteratorType: "AT_TIMESTAMP", Timestamp: new Date(ms) }),
            }),
          )
        ).Records?.length ?? 0;
      const at = await from(arrived.getTime());
      const after = await from(arrived.getTime() + 1);
      return expect(at === 1 && after === 0, `${at} record(s) from its arrival, ${after} from 1 ms later`);
    },
  },
  {
    id: "reads.iterator-expiry",
    group: "reads",
    lesson: "03",
    long: true,
    aws: "a shard iterator expires 5 minutes after it is issued",
    source: `${API}, GetShardIterator: "A shard iterator expires 5 minutes after it is returned to the requester"`,
    async run(ctx) {
      const { iterator } = await filled(ctx, "expiry", 1);
      const ShardIterator = await iterator({});
      await sleep(5 * 60_000 + 10_000);
      const error = await errorOf(ctx.kinesis.send(new GetRecordsCommand({ ShardIterator })));
      return expect(error?.name === "ExpiredIteratorException", error?.name ?? "still valid");
    },
  },
];
