// Each stream's shards, as the endpoint needs them to meter: the open shards' hash-key
// ranges (where new records go) and the ids of all shards (open and closed), asked of
// MiniStack and kept for 5 s, or until a call changes the stream's shards.
import type { Backend } from "./backend.js";
import type { ShardRange } from "./shard-limits.js";

export interface StreamInfo {
  name: string;
  account: string;
  /** Open shards only: where new records go. */
  open: ShardRange[];
  /** Every shard id of the stream, open or closed: only these get meters. */
  shardIds: Set<string>;
  /** The largest record the stream takes (data), in bytes. */
  maxRecordBytes: number;
  fetchedAt: number;
}

/** A ListShards reply, as much of it as the map reads. */
interface ShardsPage {
  Shards?: {
    ShardId: string;
    HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
    SequenceNumberRange?: { EndingSequenceNumber?: string };
  }[];
  NextToken?: string;
}

const TTL_MS = 5000;

export class ShardMap {
  private readonly streams = new Map<string, Promise<StreamInfo | undefined>>();

  constructor(private readonly backend: Backend) {}

  /** The stream "region/name", fetched when older than `maxAgeMs`; undefined when MiniStack has no such stream. */
  async get(
    key: string,
    name: string,
    authorization: string | undefined,
    maxAgeMs = TTL_MS,
  ): Promise<StreamInfo | undefined> {
    const cached = this.streams.get(key);
    if (cached) {
      const info = await cached;
      if (info && Date.now() - info.fetchedAt < maxAgeMs) return info;
      if (this.streams.get(key) !== cached) return this.streams.get(key);
    }
    const fresh = this.fetch(name, authorization).catch(() => undefined);
    this.streams.set(key, fresh);
    const info = await fresh;
    if (!info && this.streams.get(key) === fresh) this.streams.delete(key); // not there (yet): ask again next time
    return info;
  }

  /** Forget a stream's shards: after a call that changes them, or when a shard id is new to the map. */
  forget(key: string): void {
    this.streams.delete(key);
  }

  private async fetch(name: string, authorization: string | undefined): Promise<StreamInfo | undefined> {
    const summary = await this.backend.kinesis<{
      StreamDescriptionSummary?: { StreamARN?: string; MaxRecordSizeInKiB?: number };
    }>("DescribeStreamSummary", { StreamName: name }, authorization);
    const arn = summary?.StreamDescriptionSummary?.StreamARN;
    if (!arn) return undefined;
    const open: ShardRange[] = [];
    const shardIds = new Set<string>();
    let page = await this.backend.kinesis<ShardsPage>("ListShards", { StreamName: name }, authorization);
    for (;;) {
      for (const s of page?.Shards ?? []) {
        shardIds.add(s.ShardId);
        if (s.SequenceNumberRange?.EndingSequenceNumber) continue; // closed: takes no new records
        open.push({
          shardId: s.ShardId,
          startingHashKey: BigInt(s.HashKeyRange.StartingHashKey),
          endingHashKey: BigInt(s.HashKeyRange.EndingHashKey),
        });
      }
      if (!page?.NextToken) break;
      page = await this.backend.kinesis<ShardsPage>("ListShards", { NextToken: page.NextToken }, authorization);
    }
    return {
      name,
      account: arn.split(":")[4] ?? "000000000000",
      open,
      shardIds,
      maxRecordBytes: (summary.StreamDescriptionSummary?.MaxRecordSizeInKiB ?? 1024) * 1024,
      fetchedAt: Date.now(),
    };
  }
}
