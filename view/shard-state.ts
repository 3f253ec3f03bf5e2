// What the view works out from what it gathered, shard by shard: the recent refusal rate,
// whether a closed shard is drained, the shards put together with the shard map, a mapping's
// work, a lease's progress, and a shard as the page draws it. Pure functions: view/collect.test.ts tests them.
import type { LayerStats } from "../local/stats.js";
import type { Shard } from "@aws-sdk/client-kinesis";
import type { LeaseView, MappingView, RatePoint, Snapshot, ShardRange, ShardView } from "./snapshot.js";

/** The refusal rate a shard's card shows: over this many seconds, so it falls to 0 soon after refusals stop. */
export const RECENT_SECONDS = 5;

/** Writes refused per second over the last RECENT_SECONDS of a shard's history (0 with no points yet). */
export function recentRate(history: RatePoint[], now: number): number {
  const recent = history.filter((p) => p.at > now - RECENT_SECONDS * 1000);
  return recent.length ? recent.reduce((n, p) => n + p.writesThrottled, 0) / recent.length : 0;
}

/**
 * Is a closed shard drained, that is, does no reader still need it? The view never reads the
 * stream, so it cannot see where each reader is; it says "drained" on the simplest honest signs
 * it has:
 * - the limits layer counted at least as many records read out of the shard (GetRecords, all
 *   readers together) as put into it, or none put into it, since the endpoint started; and
 * - no KCL lease on the shard (lesson 04's lease tables) has a checkpoint short of SHARD_END.
 * So with two readers, lesson 03 reading the shard to its end is enough for the count even if a
 * Lambda mapping has not; and after the endpoint restarts, records put before it are not counted.
 * Without a limits layer (AWS, LocalStack) it cannot tell: undefined, and the page keeps the
 * shard grey until ListShards stops listing it (the retention period has ended).
 */
export function drained(
  totals: Pick<ShardView["totals"], "recordsIn" | "recordsOut"> | undefined,
  leases: Pick<LeaseView, "shard" | "checkpoint">[],
  shardId: string,
  counted: boolean,
): boolean | undefined {
  if (!counted) return undefined;
  const readOut = (totals?.recordsOut ?? 0) >= (totals?.recordsIn ?? 0);
  const leaseUnfinished = leases.some((lease) => lease.shard === shardId && lease.checkpoint !== "SHARD_END");
  return readOut && !leaseUnfinished;
}

/**
 * The shards as the layer counts them, put together with the shard map ListShards gives: each
 * marked open or closed (and drained). The map decides which shards there are: one ListShards no longer
 * lists (past its retention) is left out, and a child shows once the map lists it (off AWS the
 * map is read every second). Nothing assumes shard ids 0..N-1 or a set of shards that never changes.
 */
export function withShardMap(
  counted: ShardView[],
  description: Snapshot["description"],
  haveCounters: boolean,
  leases: Pick<LeaseView, "shard" | "checkpoint">[],
): ShardView[] {
  if (!description.found) return counted;
  const map = new Map(description.shards.map((range) => [range.shardId, range]));
  return counted
    .filter((view) => map.has(view.shardId))
    .map((view) => {
      const range = map.get(view.shardId);
      const open = range?.open ?? true;
      const isDrained = open ? false : (drained(view.totals, leases, view.shardId, haveCounters) ?? false);
      return { ...view, open, drained: isDrained };
    })
    .sort((a, b) => a.shardId.localeCompare(b.shardId));
}

/** A mapping with what the local target's endpoint says it has done (nothing added elsewhere). */
export function withWork(mapping: MappingView, stats: LayerStats | undefined): MappingView {
  const mine = stats?.mappings?.find((m) => m.uuid === mapping.uuid);
  if (!mine) return mapping;
  const { pollGapMs, iteratorAgeMs, invocations, retries, bisections, skipped } = mine;
  return { ...mapping, work: { pollGapMs, iteratorAgeMs, invocations, retries, bisections, skipped } };
}

/** A lease's progress: its checkpoint against the newest record the layer saw stored in its shard. */
export function leaseProgress(checkpoint: string, lastSequenceNumber: string | undefined): string {
  if (checkpoint === "SHARD_END") return "shard ended";
  if (checkpoint === "TRIM_HORIZON" || checkpoint === "LATEST" || checkpoint === "AT_TIMESTAMP") return "not started";
  if (!/^\d+$/.test(checkpoint) || !lastSequenceNumber) return "";
  return BigInt(checkpoint) >= BigInt(lastSequenceNumber) ? "caught up" : "behind";
}

/** A shard as ListShards gives it, as the page draws it: its range, open or closed, and its parents. */
export const shardRange = (shard: Shard): ShardRange => ({
  shardId: shard.ShardId!,
  startingHashKey: shard.HashKeyRange?.StartingHashKey ?? "0",
  endingHashKey: shard.HashKeyRange?.EndingHashKey ?? "0",
  // Closed by a reshard: ListShards (with no ShardFilter) still lists it, with an EndingSequenceNumber.
  open: !shard.SequenceNumberRange?.EndingSequenceNumber,
  parents: [shard.ParentShardId, shard.AdjacentParentShardId].filter((id): id is string => !!id),
});
