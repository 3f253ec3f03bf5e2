// The workshop's records: JSON with a run id and an index, sent in batches and counted back, so a consumer
// can prove it saw each one (`unique` equals what was sent; `duplicates` counts Kinesis's repeats).
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type Shard } from "@aws-sdk/client-kinesis";
import type { KinesisClient, PutRecordsRequestEntry, PutRecordsResultEntry, _Record } from "@aws-sdk/client-kinesis";
import { WorkshopError } from "./errors.js";

export interface WorkshopRecord {
  runId: string;
  index: number;
  /** Milliseconds since the epoch when the producer made the record: consumers measure latency with it. */
  sentAt: number;
  /** Optional content: a line of text, a file, a marker. */
  body?: unknown;
}

/** A short id that tells one producer run from another, for example "run-5f2a9c". */
export const newRunId = () => `run-${randomBytes(3).toString("hex")}`;

export const encodeRecord = (record: WorkshopRecord): Uint8Array => Buffer.from(JSON.stringify(record));

/** Decode a record's bytes; undefined when they are not a workshop record (a file, another producer's data). */
export function decodeRecord(data: Uint8Array | undefined): WorkshopRecord | undefined {
  if (!data) return undefined;
  try {
    const value = JSON.parse(Buffer.from(data).toString("utf8"));
    return typeof value?.runId === "string" && Number.isInteger(value?.index) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Counts what a consumer delivered: all records, distinct run id + index pairs, and repeats. */
export class RecordTally {
  records = 0;
  duplicates = 0;
  private readonly seen = new Set<string>();

  /** Count one delivered record, given as its bytes; returns it decoded when it is a workshop record. */
  add(data: Uint8Array | undefined): WorkshopRecord | undefined {
    const record = decodeRecord(data);
    if (record) this.addPair(record.runId, record.index);
    else this.records++; // delivered, but not one of ours: counted, never unique
    return record;
  }

  /** Count one delivery reported as its run id and index (a log line, a processor's report). */
  addPair(runId: string, index: number): void {
    this.records++;
    const key = `${runId}#${index}`;
    if (this.seen.has(key)) this.duplicates++;
    else this.seen.add(key);
  }

  /** A record known to be done already (a checkpoint says so): counted as seen, not as a delivery. */
  know(runId: string, index: number): void {
    this.seen.add(`${runId}#${index}`);
  }

  get unique(): number {
    return this.seen.size;
  }

  /** Distinct indexes seen for one run id. */
  uniqueFor(runId: string): number {
    return [...this.seen].filter((key) => key.startsWith(`${runId}#`)).length;
  }
}

/** The bytes a record counts against the limits: its data plus its partition key. */
export const entrySize = (entry: PutRecordsRequestEntry) =>
  (entry.Data?.byteLength ?? 0) + Buffer.byteLength(entry.PartitionKey ?? "");

/** Split entries into PutRecords-sized batches: AWS takes 500 records and 10 MiB a request at most. */
export function toBatches(entries: PutRecordsRequestEntry[], maxBytes = 10 * 1024 * 1024, maxRecords = 500) {
  const batches: PutRecordsRequestEntry[][] = [];
  let bytes = 0; // in the last batch
  for (const entry of entries) {
    const size = entrySize(entry);
    const last = batches.at(-1);
    const fits = last && last.length < Math.min(maxRecords, 500) && bytes + size <= maxBytes;
    if (fits) last.push(entry);
    else batches.push([entry]);
    bytes = (fits ? bytes : 0) + size;
  }
  return batches;
}

/**
 * Send one batch with `put` (a PutRecords call) until every entry is accepted. A reply can refuse
 * some entries (each with an ErrorCode such as ProvisionedThroughputExceededException): only those
 * are sent again, after a growing pause. `stored` hears of each accepted entry's shard. Returns the
 * requests sent, the entries sent again (`retried`) and the refusals for a shard's limit (`throttled`).
 */
export async function resendRefused(
  entries: PutRecordsRequestEntry[],
  put: (entries: PutRecordsRequestEntry[]) => Promise<{ Records?: PutRecordsResultEntry[] }>,
  stored: (shardId: string) => void = () => {},
  maxAttempts = 10,
) {
  let pending = entries;
  const outcome = { requests: 0, retried: 0, throttled: 0 };
  let lastError = "";
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > maxAttempts) {
      throw new WorkshopError(
        `${pending.length} of ${entries.length} records were still refused after ${maxAttempts} attempts (${lastError}): ` +
          "the stream is over its write limit; add shards, slow down, or try again",
      );
    }
    if (attempt > 1) {
      outcome.retried += pending.length;
      await sleep(Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2)); // backoff with jitter
    }
    outcome.requests++;
    const results = (await put(pending)).Records ?? [];
    for (const { ErrorCode, ShardId } of results) {
      if (!ErrorCode) stored(ShardId ?? "?");
      else lastError = ErrorCode;
      if (ErrorCode === "ProvisionedThroughputExceededException") outcome.throttled++;
    }
    pending = pending.filter((_, i) => results[i]?.ErrorCode);
  }
  return outcome;
}

/** A shard serves 5 GetRecords calls a second: a reader that waits this long between calls stays within it. */
export const READ_GAP_MS = 200;

/** Every shard of a stream, open and closed: ListShards paged (a next page takes NextToken alone). */
export async function listAllShards(kinesis: KinesisClient, streamName: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let NextToken: string | undefined;
  do {
    const page = await kinesis.send(new ListShardsCommand(NextToken ? { NextToken } : { StreamName: streamName }));
    shards.push(...(page.Shards ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return shards;
}

/** Read every shard from its start, once, into a tally of what reached a stream; lesson 03 does it step by step. */
export async function tallyStream(kinesis: KinesisClient, streamName: string) {
  const tally = new RecordTally();
  for (const shard of await listAllShards(kinesis, streamName))
    await readShard(kinesis, streamName, shard.ShardId!, (record) => void tally.add(record.Data));
  return tally;
}

/** Read one shard from its start until caught up, handing each record to `each` (false stops there). */
export async function readShard(
  kinesis: KinesisClient,
  streamName: string,
  shardId: string,
  each: (record: _Record) => boolean | undefined,
): Promise<void> {
  let { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" }),
  );
  while (ShardIterator) {
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
    for (const record of page.Records ?? []) if (each(record) === false) return;
    if ((page.Records ?? []).length === 0 && page.MillisBehindLatest === 0) return; // caught up with the tip
    ShardIterator = page.NextShardIterator;
    await sleep(READ_GAP_MS); // within the shard's 5 reads a second
  }
}

/** The median and 95th percentile of some numbers (0 when there are none). */
export function percentiles(values: number[]): { median: number; p95: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { median: at(0.5), p95: at(0.95) };
}
