// The local target's Kinesis data, kept by the endpoint itself: streams, their shards
// (open and closed, with their lineage), and every record, on disk before it is acknowledged.
//
// On disk, in the folder given (the emulator's state folder, workshop-kinesis/):
//   streams.json          every stream and shard, without records: rewritten whole (a
//                         new file, then renamed over the old) whenever one changes
//   records-<id>.log      one line per record, appended before PutRecord(s) answers, so a
//                         record that got a 200 survives a SIGKILL of the emulator (the
//                         write reaches the operating system; no fsync: a power cut is not
//                         what the workshop guards against)
// At a start both are read back; a last line cut short by a kill is dropped (it was never acknowledged).
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";

/** One stored record. Its data stays base64, as it came and as GetRecords gives it back. */
export interface StoredRecord {
  seq: bigint;
  data: string;
  key: string;
  /** Arrival, in milliseconds since the epoch (ApproximateArrivalTimestamp). */
  at: number;
  /** Decoded data bytes: what GetRecords' 10 MiB and the read meters count. */
  bytes: number;
}

export interface Shard {
  id: string;
  index: number;
  start: bigint;
  end: bigint;
  parent?: string;
  adjacentParent?: string;
  startSeq: bigint;
  /** Set once the shard is closed (by a reshard): it takes no more records. */
  endSeq?: bigint;
  openedAt: number;
  closedAt?: number;
  records: StoredRecord[];
}

export type StreamStatus = "CREATING" | "ACTIVE" | "UPDATING" | "DELETING";

export interface Stream {
  account: string;
  region: string;
  name: string;
  arn: string;
  createdAt: number;
  /** UPDATING until this time (a reshard, a mode change), ACTIVE after. */
  busyUntil: number;
  mode: "PROVISIONED" | "ON_DEMAND";
  retentionHours: number;
  maxRecordKiB: number;
  tags: Record<string, string>;
  shards: Shard[];
  nextShardIndex: number;
  /** When UpdateShardCount was called, for AWS's limit of 10 calls in any 24 hours. */
  scalings: number[];
}

/** Sequence numbers are 56 digits, as AWS's: 49, the shard's index (12 digits), then a counter that only grows. */
const SEQ_BASE = 49n * 10n ** 54n;
const COUNTER_DIGITS = 10n ** 42n;

export const shardIdOf = (index: number) => `shardId-${String(index).padStart(12, "0")}`;

/** The index of the shard a sequence number was given in; undefined when it is not one of ours. */
export function shardIndexOf(seq: bigint): number | undefined {
  return seq >= SEQ_BASE && seq < SEQ_BASE * 2n ? Number((seq - SEQ_BASE) / COUNTER_DIGITS) : undefined;
}

export const streamKey = (account: string, region: string, name: string) => `${account}/${region}/${name}`;

/** A stream's records file: named for the stream and its creation, so a stream made again starts afresh. */
const logName = (s: Stream) =>
  `records-${createHash("sha1")
    .update(`${streamKey(s.account, s.region, s.name)}@${s.createdAt}`)
    .digest("hex")
    .slice(0, 16)}.log`;

export class KinesisStore {
  readonly streams = new Map<string, Stream>();
  private counter = 1n;
  private readonly logs = new Map<string, number>();

  /** `dir`: where the data is kept; none: in memory only (unit tests). */
  constructor(private readonly dir?: string) {
    if (dir) this.load(dir);
  }

  /** The next sequence number in a shard: larger than every one given before, in any shard. */
  nextSeq(shardIndex: number): bigint {
    return SEQ_BASE + BigInt(shardIndex) * COUNTER_DIGITS + this.counter++;
  }

  get(account: string, region: string, name: string): Stream | undefined {
    return this.streams.get(streamKey(account, region, name));
  }

  add(stream: Stream): void {
    this.streams.set(streamKey(stream.account, stream.region, stream.name), stream);
    this.save();
  }

  remove(stream: Stream): void {
    const key = streamKey(stream.account, stream.region, stream.name);
    this.streams.delete(key);
    const fd = this.logs.get(key);
    if (fd !== undefined) closeSync(fd);
    this.logs.delete(key);
    this.save();
    if (this.dir) rmSync(join(this.dir, logName(stream)), { force: true });
  }

  /** Store records in their shards: written to the stream's log first, then kept in memory. */
  append(stream: Stream, placed: { shard: Shard; record: StoredRecord }[]): void {
    if (placed.length === 0) return;
    if (this.dir) {
      writeSync(this.logFor(stream), placed.map(({ shard, record }) => logLine(shard, record)).join(""));
    }
    for (const { shard, record } of placed) shard.records.push(record);
  }

  /** Write every stream's shape (not its records) to streams.json: after any change to it. */
  save(): void {
    if (!this.dir) return;
    const streams = [...this.streams.values()].map((s) => ({
      ...s,
      shards: s.shards.map(({ records: _records, ...shard }) => shard),
    }));
    const text = JSON.stringify({ streams }, (_key, value) => (typeof value === "bigint" ? `${value}n` : value));
    const file = join(this.dir, "streams.json");
    writeFileSync(`${file}.new`, text);
    renameSync(`${file}.new`, file);
  }

  /** Drop records older than their stream's retention, and closed shards with nothing left to read. */
  trim(now = Date.now()): void {
    let changed = false;
    for (const stream of this.streams.values()) {
      const oldest = now - stream.retentionHours * 3_600_000;
      for (const shard of stream.shards) {
        const keep = shard.records.findIndex((r) => r.at >= oldest);
        if (keep !== 0) shard.records.splice(0, keep === -1 ? shard.records.length : keep);
      }
      const before = stream.shards.length;
      stream.shards = stream.shards.filter((s) => s.closedAt === undefined || s.closedAt >= oldest);
      changed ||= stream.shards.length !== before;
    }
    if (changed) this.save();
  }

  close(): void {
    for (const fd of this.logs.values()) closeSync(fd);
    this.logs.clear();
  }

  private logFor(stream: Stream): number {
    const key = streamKey(stream.account, stream.region, stream.name);
    let fd = this.logs.get(key);
    if (fd === undefined) {
      fd = openSync(join(this.dir!, logName(stream)), "a");
      this.logs.set(key, fd);
    }
    return fd;
  }

  private load(dir: string): void {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "streams.json");
    if (!existsSync(file)) return;
    const { streams } = JSON.parse(readFileSync(file, "utf8"), (_key, value) =>
      typeof value === "string" && /^\d+n$/.test(value) ? BigInt(value.slice(0, -1)) : value,
    ) as { streams: Stream[] };
    let largest = 0n;
    const logLines = new Map<Stream, number>();
    for (const stream of streams) {
      const byIndex = new Map<number, Shard>();
      for (const shard of stream.shards) {
        shard.records = [];
        byIndex.set(shard.index, shard);
        for (const seq of [shard.startSeq, shard.endSeq ?? SEQ_BASE])
          if (seq % COUNTER_DIGITS > largest) largest = seq % COUNTER_DIGITS;
      }
      const log = join(dir, logName(stream));
      if (existsSync(log)) {
        const text = readFileSync(log, "utf8");
        // A line cut short by a kill was never acknowledged: cut it off, so the next record starts a line of its own.
        if (!text.endsWith("\n")) truncateSync(log, Buffer.byteLength(text.slice(0, text.lastIndexOf("\n") + 1)));
        const lines = text.split("\n");
        lines.pop(); // the empty string after the last newline, or the line cut short
        logLines.set(stream, lines.length);
        for (const line of lines) {
          const [index, seq, at, key, data] = line.split("\t");
          const shard = byIndex.get(Number(index));
          if (!shard || data === undefined) continue;
          const record = { seq: BigInt(seq!), data, key: JSON.parse(key!), at: Number(at), bytes: base64Bytes(data) };
          shard.records.push(record);
          if (record.seq % COUNTER_DIGITS > largest) largest = record.seq % COUNTER_DIGITS;
        }
      }
      this.streams.set(streamKey(stream.account, stream.region, stream.name), stream);
    }
    this.counter = largest + 1n; // every number given before stays below the next
    this.trim();
    // Rewrite a log that holds records past their retention (its stream was last seen days ago).
    for (const stream of this.streams.values()) {
      const kept = stream.shards.reduce((n, s) => n + s.records.length, 0);
      if (kept < (logLines.get(stream) ?? 0)) this.rewriteLog(dir, stream);
    }
  }

  private rewriteLog(dir: string, stream: Stream): void {
    const log = join(dir, logName(stream));
    const lines = stream.shards.flatMap((shard) => shard.records.map((r) => logLine(shard, r)));
    writeFileSync(`${log}.new`, lines.join(""));
    renameSync(`${log}.new`, log);
  }
}

/** A record as its stream's log keeps it: shard index, sequence number, arrival, partition key (JSON), data. */
const logLine = (shard: Shard, r: StoredRecord) =>
  `${shard.index}\t${r.seq}\t${r.at}\t${JSON.stringify(r.key)}\t${r.data}\n`;

/** The decoded length of base64 data, without decoding it. */
export const base64Bytes = (data: string) =>
  Math.floor((data.length * 3) / 4) - (data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0);
