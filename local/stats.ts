// What the endpoint counts, for the lessons' figures and `npm run view`: each real shard's
// meters and totals, its newest sequence number, and each stream's last records.
// GET /_workshop/stats answers with it. It is bounded: meters exist only for shards the local
// Kinesis has, and a stream keeps its last 50 records.
import { ShardMeters, type ShardTotals } from "./shard-limits.js";

/** One shard's counts since the endpoint started. */
export interface ShardStats extends ShardTotals {
  account: string;
  region: string;
  stream: string;
  shardId: string;
  /** The newest record stored in the shard through the endpoint. */
  lastSequenceNumber?: string;
}

/** A record the local target's Kinesis stored. */
export interface RecentRecord {
  at: number;
  shardId: string;
  partitionKey: string;
  sequenceNumber: string;
  /** The first bytes of its data, as text where they are printable. */
  dataStart: string;
}

/** GET /_workshop/stats: what the endpoint counted, and the last records of each stream ("region/stream"). */
export interface LayerStats {
  limits: boolean;
  at: number;
  shards: ShardStats[];
  recent: Record<string, RecentRecord[]>;
  /** The local target's Kinesis event source mappings (esm-poller.ts). */
  mappings?: MappingStats[];
}

/** What one event source mapping has done since the endpoint started. */
export interface MappingStats {
  uuid: string;
  streamArn: string;
  functionArn: string;
  state: string;
  lastProcessingResult: string;
  polls: number;
  /** The median gap between two polls of one shard, over the last 100 (AWS: about 1,000 ms). */
  pollGapMs: number | undefined;
  invocations: number;
  retries: number;
  bisections: number;
  /** Batches given up on (to the on-failure destination, if there is one). */
  skipped: number;
  /** GetRecords' MillisBehindLatest on its last read, the largest over its shards: its iterator age. */
  iteratorAgeMs: number | undefined;
}

/** What GET /_workshop/layer answers: how the launcher and the banner recognise the endpoint. */
export interface LayerStatus {
  layer: "workshop-limits";
  limits: boolean;
  backendPort: number;
  backendHealthy: boolean;
  pid: number;
}

const RECENT_RECORDS = 50;

/** The first 60 bytes of a record's data: as text when printable, else as hex. */
function preview(base64Data: string): string {
  const bytes = Buffer.from(base64Data, "base64").subarray(0, 60);
  const text = bytes.toString("utf8");
  return /^[\x20-\x7e\u00a0-\uffff\t]*$/.test(text) && !text.includes("\ufffd") ? text : `0x${bytes.toString("hex")}`;
}

export class EndpointStats {
  /** Keyed "account/region/stream/shardId". */
  private readonly meters = new Map<string, ShardMeters>();
  private readonly lastSequence = new Map<string, string>();
  /** Keyed "region/stream". */
  private readonly recent = new Map<string, RecentRecord[]>();

  constructor(readonly limits: boolean) {}

  /** A real shard's meters (the caller has checked that the shard exists). */
  metersFor(shardKey: string): ShardMeters {
    let m = this.meters.get(shardKey);
    if (!m) {
      m = new ShardMeters(this.limits);
      this.meters.set(shardKey, m);
    }
    return m;
  }

  /** Remember what was stored: each shard's newest sequence number, and the stream's last records. `streamKey`: "account/region/stream". */
  noteStored(
    streamKey: string,
    entries: { Data: string; PartitionKey: string }[],
    results: { ShardId?: string; SequenceNumber?: string; ErrorCode?: string }[],
  ): void {
    const recentKey = streamKey.slice(streamKey.indexOf("/") + 1); // "region/stream", as the view asks for it
    const kept = this.recent.get(recentKey) ?? [];
    const at = Date.now();
    // Only the last RECENT_RECORDS of a batch can stay in the list: the others are not previewed.
    const firstKept = Math.max(0, results.length - RECENT_RECORDS);
    results.forEach((result, i) => {
      if (result.ErrorCode || !result.ShardId || !result.SequenceNumber) return;
      this.lastSequence.set(`${streamKey}/${result.ShardId}`, result.SequenceNumber);
      const entry = entries[i];
      if (i < firstKept || !entry) return;
      kept.push({
        at,
        shardId: result.ShardId,
        partitionKey: entry.PartitionKey,
        sequenceNumber: result.SequenceNumber,
        dataStart: preview(entry.Data),
      });
    });
    this.recent.set(recentKey, kept.slice(-RECENT_RECORDS));
  }

  /** A deleted stream ("region/stream"): its shards and records leave the stats. */
  forgetStream(regionAndStream: string): void {
    this.recent.delete(regionAndStream);
    for (const map of [this.meters, this.lastSequence]) {
      for (const key of map.keys()) if (key.split("/").slice(1, 3).join("/") === regionAndStream) map.delete(key);
    }
  }

  snapshot(): LayerStats {
    const shards = [...this.meters].map(([key, m]) => {
      const [account = "", region = "", stream = "", shardId = ""] = key.split("/");
      return { account, region, stream, shardId, ...m.totals, lastSequenceNumber: this.lastSequence.get(key) };
    });
    return { limits: this.limits, at: Date.now(), shards, recent: Object.fromEntries(this.recent) };
  }
}

/** What a mapping has done since the endpoint started: for GET /_workshop/stats. */
export class MappingCounters {
  polls = 0;
  invocations = 0;
  retries = 0;
  bisections = 0;
  skipped = 0;
  readonly gaps: number[] = [];
  readonly lastPoll = new Map<string, number>();
  readonly behind = new Map<string, number>();

  polled(shardId: string, behindMs: number | undefined): void {
    const now = Date.now();
    const last = this.lastPoll.get(shardId);
    if (last !== undefined) this.gaps.push(now - last);
    if (this.gaps.length > 100) this.gaps.shift();
    this.lastPoll.set(shardId, now);
    if (behindMs !== undefined) this.behind.set(shardId, behindMs);
    this.polls++;
  }

  medianGap(): number | undefined {
    const sorted = [...this.gaps].sort((a, b) => a - b);
    return sorted.length ? sorted[Math.floor(sorted.length / 2)] : undefined;
  }
}
