// Records in and out of the local target's Kinesis: PutRecord(s), GetShardIterator, GetRecords,
// as the Kinesis API reference documents them.
//
// A shard iterator says where a reader is: the stream (and its creation, so an iterator of a
// deleted stream never reads a new one of the same name), the shard, the last sequence number
// read, and when it was issued. AWS's iterators expire 5 minutes after they are issued.
import type { Entry, KinesisCall } from "./parse.js";
import { KinesisError, invalid, openShards, type StreamOperations } from "./kinesis-engine.js";
import { type Shard, type StoredRecord, type Stream, shardIndexOf } from "./kinesis-store.js";
import { hashKeyOf } from "./shard-limits.js";

export const ITERATOR_LIFETIME_MS = 5 * 60_000;
/** The most one GetRecords returns: 10,000 records or 10 MiB. */
const MAX_RECORDS = 10_000;
const MAX_BYTES = 10 * 1024 * 1024;

interface Place {
  account: string;
  region: string;
  name: string;
  createdAt: number;
  shardIndex: number;
  /** The reader has every record up to this sequence number (-1: none yet). */
  after: bigint;
  issuedAt: number;
}

const encode = (p: Place) =>
  Buffer.from(
    JSON.stringify([1, p.account, p.region, p.name, p.createdAt, p.shardIndex, String(p.after), p.issuedAt]),
  ).toString("base64");

function decode(iterator: string): Place | undefined {
  try {
    const [version, account, region, name, createdAt, shardIndex, after, issuedAt] = JSON.parse(
      Buffer.from(iterator, "base64").toString("utf8"),
    );
    if (version !== 1) return undefined;
    return { account, region, name, createdAt, shardIndex, after: BigInt(after), issuedAt };
  } catch {
    return undefined;
  }
}

/** The first position in `records` (sorted by sequence number) whose number is above `after`. */
function firstAfter(records: StoredRecord[], after: bigint): number {
  let low = 0;
  let high = records.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (records[mid]!.seq <= after) low = mid + 1;
    else high = mid;
  }
  return low;
}

export class RecordOperations {
  constructor(private readonly streams: StreamOperations) {}

  /** The open shard a record goes to: its ExplicitHashKey, else the MD5 of its partition key, in a shard's range. */
  route(stream: Stream, entry: Pick<Entry, "PartitionKey" | "ExplicitHashKey">): Shard {
    const key = entry.ExplicitHashKey ? BigInt(entry.ExplicitHashKey) : hashKeyOf(entry.PartitionKey);
    return openShards(stream).find((s) => s.start <= key && key <= s.end)!;
  }

  /** Store records (already admitted by the meters) in their shards; each gets its sequence number. */
  store(stream: Stream, entries: { entry: Entry; shard: Shard }[]): { ShardId: string; SequenceNumber: string }[] {
    const at = this.streams.now();
    const placed = entries.map(({ entry, shard }) => ({
      shard,
      record: {
        seq: this.streams.store.nextSeq(shard.index),
        data: entry.Data,
        key: entry.PartitionKey,
        at,
        bytes: entry.dataBytes,
      },
    }));
    this.streams.store.append(stream, placed);
    return placed.map(({ shard, record }) => ({ ShardId: shard.id, SequenceNumber: String(record.seq) }));
  }

  /** The shard a call names, or AWS's ResourceNotFoundException. */
  shard(stream: Stream, shardId: string): Shard {
    const shard = stream.shards.find((s) => s.id === shardId);
    if (!shard)
      throw new KinesisError(
        "ResourceNotFoundException",
        `Shard ${shardId} in stream ${stream.name} under account ${stream.account} does not exist`,
      );
    return shard;
  }

  getShardIterator(call: KinesisCall, stream: Stream): object {
    const shard = this.shard(stream, String(call.input.ShardId));
    const type = String(call.input.ShardIteratorType);
    let after: bigint;
    if (type === "TRIM_HORIZON") after = -1n;
    else if (type === "LATEST") after = shard.records.at(-1)?.seq ?? shard.startSeq;
    else if (type === "AT_TIMESTAMP") {
      const at = timestampOf(call.input.Timestamp);
      const first = shard.records.find((r) => r.at >= at);
      after = first ? first.seq - 1n : (shard.records.at(-1)?.seq ?? -1n);
    } else {
      const seq = BigInt(String(call.input.StartingSequenceNumber));
      const index = shardIndexOf(seq);
      if (index !== shard.index)
        throw invalid(
          `Invalid StartingSequenceNumber. It encodes ${index === undefined ? "no shard" : `shardId-${String(index).padStart(12, "0")}`}, while it was used in a call to a shard with ${shard.id}`,
        );
      after = type === "AT_SEQUENCE_NUMBER" ? seq - 1n : seq;
    }
    const { account, region, name, createdAt } = stream;
    return {
      ShardIterator: encode({
        account,
        region,
        name,
        createdAt,
        shardIndex: shard.index,
        after,
        issuedAt: this.streams.now(),
      }),
    };
  }

  /** The stream and shard an iterator reads, for the meters; throws AWS's error for a bad or old iterator. */
  place(iterator: string, account: string): { stream: Stream; shard: Shard; at: Place } {
    const at = decode(iterator);
    if (!at || at.account !== account) throw invalid("Invalid ShardIterator.");
    const now = this.streams.now();
    if (now - at.issuedAt > ITERATOR_LIFETIME_MS)
      throw new KinesisError(
        "ExpiredIteratorException",
        `Iterator expired. The iterator was created at time ${new Date(at.issuedAt).toUTCString()} while right now it is ${new Date(now).toUTCString()} which is further in the future than the tolerated delay of ${ITERATOR_LIFETIME_MS} milliseconds.`,
      );
    const stream = this.streams.store.get(at.account, at.region, at.name);
    const shard = stream?.createdAt === at.createdAt && stream.shards.find((s) => s.index === at.shardIndex);
    if (!stream || !shard)
      throw new KinesisError(
        "ResourceNotFoundException",
        `Shard shardId-${String(at.shardIndex).padStart(12, "0")} in stream ${at.name} under account ${at.account} does not exist`,
      );
    return { stream, shard, at };
  }

  /**
   * The records after the iterator's place, up to Limit and 10 MiB. At the end of a closed
   * shard there is no next iterator: the reply names the shard's children instead.
   */
  getRecords(call: KinesisCall, found: ReturnType<RecordOperations["place"]>): { Records: object[]; bytes: number } {
    const { stream, shard, at } = found;
    const limit = Math.min(Number(call.input.Limit ?? MAX_RECORDS), MAX_RECORDS);
    const from = firstAfter(shard.records, at.after);
    const records: StoredRecord[] = [];
    let bytes = 0;
    for (let i = from; i < shard.records.length && records.length < limit; i++) {
      const record = shard.records[i]!;
      if (records.length > 0 && bytes + record.bytes > MAX_BYTES) break;
      records.push(record);
      bytes += record.bytes;
    }
    const now = this.streams.now();
    const next = shard.records[from + records.length];
    const last = records.at(-1)?.seq ?? at.after;
    const ended = shard.endSeq !== undefined && next === undefined;
    const reply = {
      Records: records.map((r) => ({
        SequenceNumber: String(r.seq),
        ApproximateArrivalTimestamp: r.at / 1000,
        Data: r.data,
        PartitionKey: r.key,
      })),
      MillisBehindLatest: next ? Math.max(0, now - next.at) : 0,
      ...(ended
        ? { ChildShards: childrenOf(stream, shard) }
        : { NextShardIterator: encode({ ...at, after: last, issuedAt: now }) }),
    };
    return { ...reply, bytes };
  }
}

/** The shards made from this one by a reshard: what a reader at its end goes on to. */
export function childrenOf(stream: Stream, shard: Shard) {
  return stream.shards
    .filter((s) => s.parent === shard.id || s.adjacentParent === shard.id)
    .map((s) => ({
      ShardId: s.id,
      ParentShards: [s.parent, s.adjacentParent].filter(Boolean),
      HashKeyRange: { StartingHashKey: String(s.start), EndingHashKey: String(s.end) },
    }));
}

/** A Timestamp field as it comes in JSON: seconds since the epoch (a number), or a date string. */
export function timestampOf(value: unknown): number {
  return typeof value === "number" ? value * 1000 : new Date(String(value)).getTime();
}
