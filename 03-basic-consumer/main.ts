// Lesson 03: read the stream yourself, shard by shard, with shard iterators.
//
//   npx tsx 03-basic-consumer/main.ts [--from trim-horizon] [--limit 1000] [--follow]
//
// You never read "the stream": you read a shard. For each shard you ask for a shard
// iterator (a bookmark saying where to start), then call GetRecords with it. Every
// reply holds zero or more records and the NEXT iterator; you keep following those.
import { setTimeout as sleep } from "node:timers/promises";
import { ExpiredIteratorException, GetRecordsCommand, type GetRecordsCommandOutput } from "@aws-sdk/client-kinesis";
import { ProvisionedThroughputExceededException, GetShardIteratorCommand } from "@aws-sdk/client-kinesis";
import { ListShardsCommand, KinesisClient, type Shard } from "@aws-sdk/client-kinesis";
import { clientFor, decodeRecord, checkedBy, defineFlags, READ_GAP_MS, RecordTally } from "../shared/index.js";
import { runLesson, say, table, wholeNumberFlag, WorkshopError, type LessonOptions } from "../shared/index.js";
import { type StartingPosition, startingPosition } from "./starting-position.js";

export async function main(options: Options) {
  const kinesis = clientFor(KinesisClient, options);
  const StreamName = options.stream;
  const start = startingPosition(options.from);
  const limit = options.limit;

  // ListShards pages through the shards (up to 1,000 a page); a next page is asked for
  // with NextToken alone, without the StreamName. Closed shards stay listed while they
  // still hold records; ParentShardId links a child to its parent.
  const shards: Shard[] = [];
  let NextToken: string | undefined;
  do {
    const page = await kinesis.send(new ListShardsCommand(NextToken ? { NextToken } : { StreamName }));
    shards.push(...(page.Shards ?? []));
    NextToken = page.NextToken;
  } while (NextToken);

  let chosen = shards;
  if (options.shard) {
    chosen = shards.filter((s) => s.ShardId === options.shard);
    if (chosen.length === 0) {
      throw new WorkshopError(
        `shard ${options.shard} is not in stream ${StreamName}: it has ${shards.map((s) => s.ShardId).join(", ")}`,
      );
    }
  } else if (start.StartingSequenceNumber && shards.length > 1) {
    throw new WorkshopError(
      "a sequence number belongs to one shard: add --shard SHARD_ID (the shard printed next to it)",
    );
  }
  say(
    `Reading ${chosen.length} shard(s) of ${StreamName} from ${start.ShardIteratorType}, up to ${limit} records per call.`,
  );

  const ctx: ReadContext = {
    kinesis,
    streamName: StreamName,
    limit,
    follow: options.follow,
    tally: new RecordTally(),
    idleMs: 1000,
    lastIndex: new Map(),
    outOfOrder: 0,
  };
  const known = new Set(chosen.map((s) => s.ShardId));
  const finished = new Set<string>();
  const startedShards = new Set<string>();
  const reports: ShardReport[] = [];

  // A shard can be read once its parents are finished (or gone): that keeps each
  // partition key's records in order across a split or a merge.
  const parentsDone = (s: Shard) =>
    [s.ParentShardId, s.AdjacentParentShardId].every((p) => !p || !known.has(p) || finished.has(p));

  async function readShardThenChildren(shard: Shard, position: StartingPosition): Promise<void> {
    startedShards.add(shard.ShardId!);
    reports.push(await readShardUntilCaughtUp(ctx, shard.ShardId!, position));
    finished.add(shard.ShardId!);
    // Children start from their beginning: they hold what came after the parent closed.
    const children = chosen.filter(
      (c) =>
        !startedShards.has(c.ShardId!) &&
        parentsDone(c) &&
        (c.ParentShardId === shard.ShardId || c.AdjacentParentShardId === shard.ShardId),
    );
    await Promise.all(children.map((child) => readShardThenChildren(child, { ShardIteratorType: "TRIM_HORIZON" })));
  }
  await Promise.all(chosen.filter(parentsDone).map((shard) => readShardThenChildren(shard, start)));

  reports.sort((a, b) => a.shardId.localeCompare(b.shardId));
  say();
  table(
    reports.map((r) => ({
      shard: r.shardId,
      records: r.records,
      emptyReads: r.emptyReads,
      throttled: r.throttled,
      closed: r.closed ? "yes" : "",
      lastSequence: r.lastSequenceNumber ?? "",
    })),
  );

  return {
    records: ctx.tally.records,
    unique: ctx.tally.unique,
    duplicates: ctx.tally.duplicates,
    perShard: Object.fromEntries(reports.map((r) => [r.shardId, r.records])),
    emptyReads: reports.reduce((n, r) => n + r.emptyReads, 0),
    renewedIterators: reports.reduce((n, r) => n + r.renewedIterators, 0),
    throttled: reports.reduce((n, r) => n + r.throttled, 0),
    // Shards closed by a reshard (01's --reshard), read to their end before their children.
    closedShards: reports.filter((r) => r.closed).length,
    outOfOrder: ctx.outOfOrder,
  };
}

export interface ShardReport {
  shardId: string;
  records: number;
  emptyReads: number;
  renewedIterators: number;
  /** GetRecords calls the shard refused (over 5 calls/s or 2 MiB/s), counting the SDK's own retries. */
  throttled: number;
  lastSequenceNumber?: string;
  closed: boolean;
}

/** What the reader needs besides the shard: shared by every shard's reader. */
interface ReadContext {
  kinesis: KinesisClient;
  streamName: string;
  limit: number;
  follow: boolean;
  tally: RecordTally;
  /** Milliseconds to wait after an empty read before asking again. */
  idleMs: number;
  /** Each producer run's partition keys, and the last index read for each: a lower one after it is out of order. */
  lastIndex: Map<string, number>;
  outOfOrder: number;
}

/**
 * Read one shard from `start` until caught up (or forever with follow), and say
 * whether the shard was closed (split or merged), so its children can be read next.
 */
export async function readShardUntilCaughtUp(
  ctx: ReadContext,
  shardId: string,
  start: StartingPosition,
): Promise<ShardReport> {
  const report: ShardReport = { shardId, records: 0, emptyReads: 0, renewedIterators: 0, throttled: 0, closed: false };
  const iteratorAt = async (position: StartingPosition) =>
    (await ctx.kinesis.send(new GetShardIteratorCommand({ StreamName: ctx.streamName, ShardId: shardId, ...position })))
      .ShardIterator;

  let iterator = await iteratorAt(start);
  let shown = 0;
  let lastCall = 0;
  let refusedInARow = 0;
  while (iterator) {
    // A shard serves 5 GetRecords calls a second (shared by every reader of it) and
    // 2 MiB/s: wait at least 200 ms between calls, so this reader alone stays within it.
    await sleep(Math.max(0, lastCall + READ_GAP_MS - Date.now()));
    lastCall = Date.now();
    let reply: GetRecordsCommandOutput;
    try {
      reply = await ctx.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: ctx.limit }));
      report.throttled += (reply.$metadata?.attempts ?? 1) - 1; // refusals the SDK retried for us
      refusedInARow = 0;
    } catch (error) {
      // Still refused after the SDK's own retries (another reader shares the shard, or a
      // large read is being paid back): back off, then ask again with the same iterator.
      if (error instanceof ProvisionedThroughputExceededException && refusedInARow < 10) {
        report.throttled += error.$metadata?.attempts ?? 1;
        await sleep(Math.min(5000, 250 * 2 ** refusedInARow++));
        continue;
      }
      // An iterator is good for 5 minutes. When one expires, ask for a new one just
      // after the last record we saw, so nothing is skipped and nothing read twice.
      if (!(error instanceof ExpiredIteratorException) || report.renewedIterators >= 3) throw error;
      report.renewedIterators++;
      iterator = await iteratorAt(
        report.lastSequenceNumber
          ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: report.lastSequenceNumber }
          : start,
      );
      continue;
    }

    const records = reply.Records ?? [];
    for (const record of records) {
      const ours = ctx.tally.add(record.Data);
      // Kinesis keeps a partition key's records in order: within a shard, and across a
      // reshard for a reader that finishes the parents first.
      const key = `${ours?.runId}/${record.PartitionKey}`;
      if (ours && (ctx.lastIndex.get(key) ?? -1) > ours.index) ctx.outOfOrder++;
      if (ours) ctx.lastIndex.set(key, ours.index);
      report.records++;
      report.lastSequenceNumber = record.SequenceNumber;
      if (shown++ < 5) {
        const decoded = decodeRecord(record.Data);
        const what = decoded
          ? `${decoded.runId} #${decoded.index}`
          : `${record.Data?.byteLength ?? 0} bytes (not a workshop record)`;
        say(
          `  ${shardId}  seq …${record.SequenceNumber?.slice(-8)}  key ${record.PartitionKey?.slice(0, 12).padEnd(12)}  ${what}`,
        );
      }
    }
    if (records.length === 0) report.emptyReads++;

    // No next iterator: the shard is closed (split or merged) and we have read all of it.
    if (!reply.NextShardIterator) {
      report.closed = true;
      break;
    }
    // Caught up: nothing returned and nothing left behind the tip of the shard.
    const caughtUp = records.length === 0 && reply.MillisBehindLatest === 0;
    if (caughtUp && !ctx.follow) break;
    // Nothing new: pause longer before asking again.
    if (records.length === 0) await sleep(ctx.idleMs);
    iterator = reply.NextShardIterator;
  }
  if (shown > 5) say(`  ${shardId}  … and ${shown - 5} more`);
  return report;
}

export type Options = LessonOptions<typeof lesson.flags>;

export const lesson = {
  usage: "npx tsx 03-basic-consumer/main.ts",
  about:
    "Read every shard of the stream with GetShardIterator and GetRecords until caught up (or forever with --follow).",
  flags: defineFlags({
    from: {
      type: "string",
      value: "POSITION",
      default: "trim-horizon",
      help: "trim-horizon | latest | at-sequence:SEQ | after-sequence:SEQ | at-timestamp:ISO",
      parse: checkedBy(startingPosition), // refuse a bad one at once
    },
    limit: wholeNumberFlag("records per GetRecords call (1 to 10000)", { default: 1000, max: 10_000 }),
    shard: {
      type: "string",
      value: "SHARD_ID",
      help: "read only this shard (needed for sequence numbers on many shards)",
    },
    follow: { type: "boolean", help: "keep reading after catching up; Ctrl-C to stop" },
  }),
};

runLesson(import.meta.url, lesson, main);
