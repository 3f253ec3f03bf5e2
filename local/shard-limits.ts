// Kinesis's per-shard limits, as meters: what the local target's limits layer
// (local/endpoint.ts) uses to refuse a request the way AWS would.
//
// AWS (Kinesis Data Streams quotas, 2026), for every shard of provisioned and on-demand streams:
//   writes  1,000 records/s and 1 MiB/s (data plus partition key) — PutRecord, PutRecords
//   reads   5 GetRecords calls/s and 2 MiB/s; one call may return up to 10 MiB, and
//           then the shard's reads are refused until the 2 MiB/s has paid that back
//   GetShardIterator 5 calls/s
// AWS publishes rates, not burst sizes. Here a shard absorbs one full request at once:
// 500 records (a PutRecords) and 1 MiB (the largest default record), then refills at its rate.
import { createHash } from "node:crypto";

export const MiB = 1024 * 1024;

export const SHARD_LIMITS = {
  writeRecordsPerSecond: 1000,
  writeRecordsBurst: 500,
  writeBytesPerSecond: 1 * MiB,
  writeBytesBurst: 1 * MiB,
  readCallsPerSecond: 5,
  readBytesPerSecond: 2 * MiB,
  /** The most a single GetRecords may return; the debt it leaves is paid back at 2 MiB/s. */
  readBytesPerCall: 10 * MiB,
  iteratorCallsPerSecond: 5,
} as const;

/**
 * A token bucket: `ratePerSecond` tokens flow in, up to `capacity`. A request takes
 * tokens, or is refused. `charge` may take more than there is: the bucket goes into
 * debt, and the following seconds pay it back (AWS's rule for a large GetRecords).
 */
export class Meter {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly ratePerSecond: number,
    readonly capacity: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = capacity;
    this.updatedAt = now();
  }

  /** Tokens available now (negative while in debt). */
  available(): number {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond);
    this.updatedAt = now;
    return this.tokens;
  }

  /** Take `cost` tokens if there are that many; true when taken. */
  take(cost: number): boolean {
    if (this.available() < cost) return false;
    this.tokens -= cost;
    return true;
  }

  /** Take `cost` tokens whatever is left: for what was already let through. */
  charge(cost: number): void {
    this.available();
    this.tokens -= cost;
  }

  /** Give back `cost` tokens taken for a request that then failed (never past the capacity). */
  refund(cost: number): void {
    this.tokens = Math.min(this.capacity, this.available() + cost);
  }
}

/** What the layer counts for a shard: records and bytes in and out, calls, and refusals. */
export interface ShardTotals {
  recordsIn: number;
  bytesIn: number;
  /** Records (PutRecord calls or PutRecords entries) refused. */
  writesThrottled: number;
  reads: number;
  recordsOut: number;
  bytesOut: number;
  readsThrottled: number;
  iteratorsThrottled: number;
}

/** One shard's meters. */
export class ShardMeters {
  readonly writeRecords: Meter;
  readonly writeBytes: Meter;
  readonly readCalls: Meter;
  readonly readBytes: Meter;
  readonly iteratorCalls: Meter;
  /** What the layer has counted for this shard since it started. */
  readonly totals: ShardTotals = {
    recordsIn: 0,
    bytesIn: 0,
    writesThrottled: 0,
    reads: 0,
    recordsOut: 0,
    bytesOut: 0,
    readsThrottled: 0,
    iteratorsThrottled: 0,
  };

  /** enforce false: count everything, refuse nothing (limits off). */
  constructor(
    private readonly enforce = true,
    now?: () => number,
  ) {
    const L = SHARD_LIMITS;
    this.writeRecords = new Meter(L.writeRecordsPerSecond, L.writeRecordsBurst, now);
    this.writeBytes = new Meter(L.writeBytesPerSecond, L.writeBytesBurst, now);
    this.readCalls = new Meter(L.readCallsPerSecond, L.readCallsPerSecond, now);
    this.readBytes = new Meter(L.readBytesPerSecond, L.readBytesPerSecond, now);
    this.iteratorCalls = new Meter(L.iteratorCallsPerSecond, L.iteratorCallsPerSecond, now);
  }

  /** Admit one record of `bytes` (data + partition key), or refuse it. */
  admitWrite(bytes: number): boolean {
    // A record bigger than the byte bucket (records may be up to 10 MiB when a stream
    // allows it) waits for a full bucket, then borrows from the seconds after it.
    const room = this.writeBytes.available();
    const fits = room >= Math.min(bytes, this.writeBytes.capacity);
    if (this.enforce && (!fits || this.writeRecords.available() < 1)) {
      this.totals.writesThrottled++;
      return false;
    }
    this.writeRecords.charge(1);
    this.writeBytes.charge(bytes);
    this.totals.recordsIn++;
    this.totals.bytesIn += bytes;
    return true;
  }

  /** Give back what admitWrite took for a record the emulator did not store: only stored records count. */
  refundWrite(bytes: number): void {
    this.writeRecords.refund(1);
    this.writeBytes.refund(bytes);
    this.totals.recordsIn--;
    this.totals.bytesIn -= bytes;
  }

  /** Admit one GetRecords call: refused while the shard is over 5 calls/s or still paying back a large read. */
  admitRead(): boolean {
    if (this.enforce && (this.readBytes.available() <= 0 || !this.readCalls.take(1))) {
      this.totals.readsThrottled++;
      return false;
    }
    this.totals.reads++;
    return true;
  }

  /** Charge what an admitted GetRecords returned. */
  chargeRead(records: number, bytes: number): void {
    this.readBytes.charge(bytes);
    this.totals.recordsOut += records;
    this.totals.bytesOut += bytes;
  }

  admitIterator(): boolean {
    if (!this.enforce || this.iteratorCalls.take(1)) return true;
    this.totals.iteratorsThrottled++;
    return false;
  }
}

/** The hash key Kinesis gives a partition key: its MD5, read as a 128-bit unsigned integer. */
export function hashKeyOf(partitionKey: string): bigint {
  return BigInt(`0x${createHash("md5").update(partitionKey, "utf8").digest("hex")}`);
}

/** AWS's message for a refusal, naming the shard, the stream and the account. */
export const rateExceededMessage = (shardId: string, stream: string, account: string) =>
  `Rate exceeded for shard ${shardId} in stream ${stream} under account ${account}.`;

/** One refused entry of a PutRecords reply, in its request position. */
export const throttledEntry = (shardId: string, stream: string, account: string) => ({
  ErrorCode: "ProvisionedThroughputExceededException",
  ErrorMessage: rateExceededMessage(shardId, stream, account),
});
