// Resharding, continued: the stream's UPDATING state while a reshard runs, and UpdateShardCount,
// which AWS makes of splits and merges. (reshard.ts has the splits and merges themselves.)
import {
  DescribeStreamSummaryCommand,
  MergeShardsCommand,
  type Shard,
  SplitShardCommand,
  UpdateShardCountCommand,
} from "@aws-sdk/client-kinesis";
import { API, type Check, errorOf, expect } from "./check.js";
import { listAllShards } from "../shared/records.js";
import {
  isOpen,
  byRange,
  where,
  middle,
  untilActive,
  streamOf,
  lineageProblems,
  uniformProblems,
} from "./shard-lineage.js";

export const SCALING_CHECKS: Check[] = [
  {
    id: "reshard.updating-refuses-second",
    group: "reshard",
    lesson: "01",
    aws: "a reshard makes the stream UPDATING, then ACTIVE; meanwhile another reshard → ResourceInUseException",
    source: `${API}, MergeShards: "If a stream is in the CREATING, UPDATING, or DELETING state, MergeShards returns a ResourceInUseException"; SplitShard: "immediately returns a response and sets the stream status to UPDATING"`,
    limitSeconds: 150,
    async run(ctx) {
      const { name, shards } = await streamOf(ctx, "updating", 3);
      const [low, middleShard, high] = shards as [Shard, Shard, Shard];
      await ctx.kinesis.send(
        new SplitShardCommand({ StreamName: name, ShardToSplit: low.ShardId, NewStartingHashKey: String(middle(low)) }),
      );
      const { StreamDescriptionSummary: s } = await ctx.kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: name }),
      );
      const second = await errorOf(
        ctx.kinesis.send(
          new MergeShardsCommand({
            StreamName: name,
            ShardToMerge: middleShard.ShardId,
            AdjacentShardToMerge: high.ShardId,
          }),
        ),
      );
      const started = Date.now();
      const seen = await untilActive(ctx, name);
      const ok = s?.StreamStatus === "UPDATING" && second?.name === "ResourceInUseException";
      return expect(
        ok,
        `${s?.StreamStatus} at once; a MergeShards meanwhile: ${second?.name ?? "taken"}; ${seen.join(" → ")} within ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    },
  },
  {
    id: "reshard.update-shard-count",
    group: "reshard",
    lesson: "01",
    aws: "UpdateShardCount 1 → 2 → 4 → 2 leaves 2 open shards of equal range, each descended from closed shards back to the first; more than double is refused",
    source: `${API}, UpdateShardCount: "Kinesis Data Streams performs splits or merges on individual shards"; "you cannot ... Scale up to more than double your current shard count for a stream"; ScalingType: "Uniform scaling creates shards of equal size"`,
    // Three scalings of minutes each on AWS.
    limitSeconds: 900,
    async run(ctx) {
      const { name, shards } = await streamOf(ctx, "count", 1);
      const problems: string[] = [];
      let current = 1;
      for (const target of [2, 4, 2]) {
        const reply = await ctx.kinesis.send(
          new UpdateShardCountCommand({ StreamName: name, TargetShardCount: target, ScalingType: "UNIFORM_SCALING" }),
        );
        if (reply.CurrentShardCount !== current || reply.TargetShardCount !== target)
          problems.push(
            `${current} → ${target} answered CurrentShardCount ${reply.CurrentShardCount}, TargetShardCount ${reply.TargetShardCount}`,
          );
        await untilActive(ctx, name, 300);
        current = target;
      }
      const after = await listAllShards(ctx.kinesis, name);
      const open = after.filter(isOpen).sort(byRange);
      if (open.length !== 2) problems.push(`${open.length} open shard(s): ${open.map(where).join(", ")}`);
      problems.push(...uniformProblems(open));
      problems.push(...lineageProblems(after, new Set(shards.map((s) => s.ShardId!))));
      // AWS documents the limit, not which error it gives; both of these are its limit errors.
      const refused = await errorOf(
        ctx.kinesis.send(
          new UpdateShardCountCommand({ StreamName: name, TargetShardCount: 5, ScalingType: "UNIFORM_SCALING" }),
        ),
      );
      if (!refused) {
        problems.push("2 → 5 taken");
        await untilActive(ctx, name, 300).catch(() => {});
      } else if (refused.name !== "InvalidArgumentException" && refused.name !== "LimitExceededException")
        problems.push(`2 → 5 refused with ${refused.name}`);
      return expect(
        problems.length === 0,
        problems.length
          ? problems.join("; ")
          : `open ${open.map(where).join(", ")}; ${after.length - open.length} closed shards in their lineage; 2 → 5: ${refused!.name}`,
      );
    },
  },
];
