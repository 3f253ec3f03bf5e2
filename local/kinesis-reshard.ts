// Resharding on the local target, as AWS does it: a reshard closes its parent shards (they
// stay listed, with an EndingSequenceNumber, and keep their records until retention ends) and
// opens children that name their parents. New records go to open shards only; a reader of a
// parent reads it to its end, then goes on to its children (GetRecords' ChildShards).
//
//   SplitShard        one parent → two children, the parent's range cut at NewStartingHashKey
//   MergeShards       two adjacent parents → one child (ParentShardId, AdjacentParentShardId)
//   UpdateShardCount  splits, then merges, until the open shards split the hash-key space
//                     evenly into TargetShardCount: every step a real split or merge, so
//                     every child has at most two parents, as ListShards shows
// Each leaves the stream UPDATING for a moment; a second reshard meanwhile is refused.
import type { KinesisCall } from "./parse.js";
import {
  evenRanges,
  invalid,
  KinesisError,
  openShards,
  shardView,
  type StreamOperations,
  UPDATING_MS,
} from "./kinesis-engine.js";
import type { Shard, Stream } from "./kinesis-store.js";
import { timestampOf } from "./kinesis-records.js";

const DAY_MS = 24 * 3_600_000;
/** A ListShards NextToken lasts 300 seconds (AWS). */
const NEXT_TOKEN_MS = 300_000;

/** Resharding calls are for provisioned streams only: on-demand ones are resharded by AWS itself. */
function provisionedOnly(stream: Stream, operation: string): void {
  if (stream.mode === "ON_DEMAND")
    throw new KinesisError(
      "ValidationException",
      `${operation} is only supported for data streams with the provisioned capacity mode; ${stream.name} is ON_DEMAND.`,
    );
}
/** AWS: UpdateShardCount at most 10 times in any 24 hours, per stream. */
const SCALINGS_PER_DAY = 10;

export class Resharding {
  constructor(private readonly streams: StreamOperations) {}

  splitShard(call: KinesisCall, account: string): object {
    const stream = this.streams.find(call, account);
    provisionedOnly(stream, "SplitShard");
    this.streams.mustBeActive(stream);
    const shard = this.openShard(stream, String(call.input.ShardToSplit));
    const at = BigInt(String(call.input.NewStartingHashKey));
    if (!(at > shard.start + 1n && at < shard.end))
      throw invalid(
        `NewStartingHashKey ${at} used in SplitShard() on shard ${shard.id} in stream ${stream.name} under account ${account} is not both greater than one plus the shard's StartingHashKey ${shard.start} and less than the shard's EndingHashKey ${shard.end}.`,
      );
    this.streams.checkAccountShards(account, stream.region, 1);
    this.split(stream, shard, at);
    this.done(stream);
    return {};
  }

  mergeShards(call: KinesisCall, account: string): object {
    const stream = this.streams.find(call, account);
    provisionedOnly(stream, "MergeShards");
    this.streams.mustBeActive(stream);
    const first = this.openShard(stream, String(call.input.ShardToMerge));
    const second = this.openShard(stream, String(call.input.AdjacentShardToMerge));
    if (first.end + 1n !== second.start && second.end + 1n !== first.start)
      throw invalid(
        `Shards ${first.id} and ${second.id} in stream ${stream.name} under account ${account} are not an adjacent pair of shards eligible for merging`,
      );
    this.merge(stream, first, second);
    this.done(stream);
    return {};
  }

  updateShardCount(call: KinesisCall, account: string): object {
    const stream = this.streams.find(call, account);
    const target = Number(call.input.TargetShardCount);
    // (ScalingType is UNIFORM_SCALING, the only one there is: kinesis-input.ts checked it.)
    provisionedOnly(stream, "UpdateShardCount");
    this.streams.mustBeActive(stream);
    const current = openShards(stream).length;
    if (target > current * 2)
      throw new KinesisError(
        "LimitExceededException",
        `UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: ${current} Target shard count: ${target}`,
      );
    if (target * 2 < current)
      throw new KinesisError(
        "LimitExceededException",
        `UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: ${current} Target shard count: ${target}`,
      );
    const now = this.streams.now();
    stream.scalings = stream.scalings.filter((t) => now - t < DAY_MS);
    if (stream.scalings.length >= SCALINGS_PER_DAY)
      throw new KinesisError(
        "LimitExceededException",
        `Stream ${stream.name} under account ${account} has already been scaled ${SCALINGS_PER_DAY} times in the last 24 hours: UpdateShardCount allows ${SCALINGS_PER_DAY} per stream per rolling 24 hours.`,
      );
    if (target > current) this.streams.checkAccountShards(account, stream.region, target - current);
    this.scaleEvenly(stream, target);
    stream.scalings.push(now);
    this.done(stream);
    return { StreamName: stream.name, StreamARN: stream.arn, CurrentShardCount: current, TargetShardCount: target };
  }

  /** ListShards: every shard the stream still lists, or the ones a ShardFilter picks, a page at a time. */
  listShards(call: KinesisCall, account: string): object {
    const input = call.input as {
      NextToken?: string;
      StreamName?: string;
      StreamARN?: string;
      MaxResults?: number;
      ExclusiveStartShardId?: string;
      StreamCreationTimestamp?: unknown;
      ShardFilter?: { Type?: string; ShardId?: string; Timestamp?: unknown };
    };
    if (input.NextToken) {
      // A NextToken says everything about where to go on: AWS refuses it with anything that would too.
      const clash = (
        ["StreamName", "StreamARN", "ExclusiveStartShardId", "StreamCreationTimestamp", "ShardFilter"] as const
      ).find((f) => input[f] !== undefined);
      if (clash) throw invalid(`NextToken and ${clash} cannot be provided together.`);
    }
    let name = call.stream;
    let after = input.ExclusiveStartShardId;
    let filter = input.ShardFilter;
    if (input.NextToken) {
      let issuedAt: number;
      try {
        [name, after, filter, issuedAt] = JSON.parse(Buffer.from(input.NextToken, "base64").toString("utf8"));
      } catch {
        throw invalid("Invalid NextToken.");
      }
      if (typeof name !== "string" || !(this.streams.now() - issuedAt < NEXT_TOKEN_MS))
        throw new KinesisError(
          "ExpiredNextTokenException",
          "The NextToken has expired or is not one (tokens last 300 seconds).",
        );
    }
    const stream = this.streams.find(call, account, name);
    if (
      input.StreamCreationTimestamp !== undefined &&
      Math.abs(timestampOf(input.StreamCreationTimestamp) - stream.createdAt) >= 1
    )
      throw new KinesisError(
        "ResourceNotFoundException",
        `Stream ${stream.name} under account ${account} with that creation timestamp not found.`,
      );
    const max = input.MaxResults ?? 1000;
    if (filter?.Type === "AFTER_SHARD_ID") after = filter.ShardId;
    const picked = stream.shards.filter((s) => (after === undefined || s.id > after) && this.picks(stream, s, filter));
    const page = picked.slice(0, max);
    const more = picked.length > max;
    return {
      Shards: page.map(shardView),
      ...(more
        ? {
            NextToken: Buffer.from(JSON.stringify([stream.name, page.at(-1)!.id, filter, this.streams.now()])).toString(
              "base64",
            ),
          }
        : {}),
    };
  }

  /** Does a ShardFilter keep this shard? (AT_… : open at that moment; FROM_… : open then or opened since.) */
  private picks(stream: Stream, shard: Shard, filter: { Type?: string; Timestamp?: unknown } | undefined): boolean {
    const openAt = (t: number) => shard.openedAt <= t && (shard.closedAt === undefined || shard.closedAt > t);
    const trimHorizon = Math.max(this.streams.now() - stream.retentionHours * 3_600_000, stream.createdAt);
    switch (filter?.Type) {
      case "AT_LATEST":
        return shard.endSeq === undefined;
      case "AT_TRIM_HORIZON":
        return openAt(trimHorizon);
      case "AT_TIMESTAMP":
        return openAt(timestampOf(filter.Timestamp));
      case "FROM_TIMESTAMP":
        return shard.closedAt === undefined || shard.closedAt > timestampOf(filter.Timestamp);
      default: // none, AFTER_SHARD_ID, FROM_TRIM_HORIZON: every shard still listed
        return true;
    }
  }

  private openShard(stream: Stream, shardId: string): Shard {
    const shard = stream.shards.find((s) => s.id === shardId);
    if (!shard)
      throw new KinesisError(
        "ResourceNotFoundException",
        `Could not find shard ${shardId} in stream ${stream.name} under account ${stream.account}.`,
      );
    if (shard.endSeq !== undefined)
      throw new KinesisError(
        "ResourceInUseException",
        `Shard ${shard.id} in stream ${stream.name} under account ${stream.account} has already been merged or split, and thus is not eligible for merging or splitting.`,
      );
    return shard;
  }

  private close(shard: Shard): void {
    shard.endSeq = this.streams.store.nextSeq(shard.index);
    shard.closedAt = this.streams.now();
  }

  private split(stream: Stream, shard: Shard, at: bigint): [Shard, Shard] {
    this.close(shard);
    const low = this.streams.newShard(stream, { start: shard.start, end: at - 1n }, [shard.id]);
    const high = this.streams.newShard(stream, { start: at, end: shard.end }, [shard.id]);
    stream.shards.push(low, high);
    return [low, high];
  }

  private merge(stream: Stream, first: Shard, second: Shard): Shard {
    this.close(first);
    this.close(second);
    const [low, high] = first.start < second.start ? [first, second] : [second, first]; // adjacent: low ends where high starts
    const range = { start: low.start, end: high.end };
    const child = this.streams.newShard(stream, range, [first.id, second.id]);
    stream.shards.push(child);
    return child;
  }

  /**
   * Make the open shards the even split of the hash-key space into `target`: first split every
   * open shard at each target boundary inside it, then merge, within each target range, its
   * pieces from left to right. A boundary a few keys from an existing one (AWS's even ranges
   * round down) is taken to be that one, so 2 → 4 is two splits and 4 → 2 two merges.
   */
  private scaleEvenly(stream: Stream, target: number): void {
    const open = openShards(stream).sort((a, b) => (a.start < b.start ? -1 : 1));
    const existing = open.slice(1).map((s) => s.start);
    const near = (a: bigint, b: bigint) => (a > b ? a - b : b - a) <= BigInt(target + open.length);
    const bounds = evenRanges(target)
      .slice(1)
      .map(({ start }) => existing.find((e) => near(e, start)) ?? start);
    let pieces: Shard[] = [];
    for (let shard of open) {
      for (const at of bounds.filter((b) => b > shard.start && b <= shard.end)) {
        const [low, high] = this.split(stream, shard, at);
        pieces.push(low);
        shard = high;
      }
      pieces.push(shard);
    }
    pieces = pieces.sort((a, b) => (a.start < b.start ? -1 : 1));
    const edges = [0n, ...bounds];
    for (let i = 0; i < edges.length; i++) {
      const inRange = pieces.filter((p) => p.start >= edges[i]! && (i + 1 === edges.length || p.start < edges[i + 1]!));
      inRange.reduce((merged, next) => this.merge(stream, merged, next));
    }
  }

  private done(stream: Stream): void {
    stream.busyUntil = this.streams.now() + UPDATING_MS;
    this.streams.store.save();
  }
}
