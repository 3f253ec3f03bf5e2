// Resharding: SplitShard, MergeShards and UpdateShardCount, and what writers and readers see
// after them. A reshard moves no record. It closes shards (each keeps its records, and its
// SequenceNumberRange gets an EndingSequenceNumber) and opens new ones that take the writes
// from then on. Each new shard names where it came from: ParentShardId (and, after a merge,
// AdjacentParentShardId). A reader finishes a parent before it reads its children, so the
// records of each partition key are read in the order they were written.
//
// Resharding is slow on AWS (about half a minute for a split or a merge, minutes for
// UpdateShardCount), so these checks have their own time limits; on an emulator they take
// seconds. After each reshard they wait until the stream is ACTIVE again, as AWS says to.
import { setTimeout as sleep } from "node:timers/promises";
import {
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  MergeShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  type Shard,
  SplitShardCommand,
} from "@aws-sdk/client-kinesis";
import { API, type Check, Differs, errorOf, expect, GUIDE } from "./check.js";
import { listAllShards } from "../shared/records.js";
import { SCALING_CHECKS } from "./reshard-scaling.js";

import {
  first,
  last,
  isOpen,
  holding,
  hashKeyOf,
  where,
  middle,
  untilActive,
  splitInHalves,
  streamOf,
  bodies,
} from "./shard-lineage.js";
export const RESHARD_CHECKS: Check[] = [
  {
    id: "reshard.split-closes-parent",
    group: "reshard",
    lesson: "01",
    aws: "SplitShard closes the parent (still listed, with an EndingSequenceNumber) and opens two children that share its range",
    source: `${API}, SplitShard: "The NewStartingHashKey hash key value and all higher hash key values in hash key range are distributed to one of the child shards. All the lower hash key values in the range are distributed to the other child shard"; SequenceNumberRange: "Shards that are in the OPEN state have an ending sequence number of null"`,
    limitSeconds: 150,
    async run(ctx) {
      const {
        name,
        shards: [parent],
      } = await streamOf(ctx, "split", 1);
      const { shards, children } = await splitInHalves(ctx, name, parent!);
      const closed = shards.find((s) => s.ShardId === parent!.ShardId);
      const at = middle(parent!);
      const problems: string[] = [];
      if (!closed) problems.push(`${parent!.ShardId} is no longer listed`);
      else if (isOpen(closed)) problems.push(`${parent!.ShardId} has no EndingSequenceNumber`);
      if (children.length !== 2) problems.push(`${children.length} shard(s) name ${parent!.ShardId} as their parent`);
      else {
        const [low, high] = children as [Shard, Shard];
        if (
          first(low) !== first(parent!) ||
          last(low) !== at - 1n ||
          first(high) !== at ||
          last(high) !== last(parent!)
        )
          problems.push(`children ${children.map(where).join(", ")} do not split ${where(parent!)} at ${at}`);
        if (!children.every(isOpen)) problems.push("a child is closed");
      }
      return expect(
        problems.length === 0,
        problems.length
          ? problems.join("; ")
          : `${parent!.ShardId} closed, still listed; children ${children.map(where).join(", ")}`,
      );
    },
  },
  {
    id: "reshard.read-parent-to-children",
    group: "reshard",
    lesson: "03",
    aws: "the records put before a split stay in the parent; read to its end, the last reply has no NextShardIterator and names the children in ChildShards",
    source: `${API}, GetRecords: "NextShardIterator ... If set to null, the shard has been closed and the requested iterator does not return any more data"; "ChildShards ... returned ... only when the end of the current shard is reached"`,
    limitSeconds: 150,
    async run(ctx) {
      const {
        name,
        shards: [parent],
      } = await streamOf(ctx, "read-parent", 1);
      const Records = ["0", "1", "2"].map((body) => ({ Data: Buffer.from(body), PartitionKey: `key-${body}` }));
      await ctx.kinesis.send(new PutRecordsCommand({ StreamName: name, Records }));
      const { children } = await splitInHalves(ctx, name, parent!);
      let { ShardIterator } = await ctx.kinesis.send(
        new GetShardIteratorCommand({ StreamName: name, ShardId: parent!.ShardId, ShardIteratorType: "TRIM_HORIZON" }),
      );
      // Read on until a reply has no NextShardIterator: that one is the end of the shard. AWS
      // may need a few replies to get there (some empty); 5 reads a second is its limit.
      const read: string[] = [];
      let reply: GetRecordsCommandOutput | undefined;
      for (let i = 0; i < 20 && ShardIterator; i++) {
        if (i > 0) await sleep(250);
        reply = await ctx.kinesis.send(new GetRecordsCommand({ ShardIterator }));
        read.push(...bodies(reply.Records));
        ShardIterator = reply.NextShardIterator;
      }
      if (ShardIterator)
        throw new Differs(`read [${read}] from ${parent!.ShardId}, and still a NextShardIterator after 20 replies`);
      const named = reply?.ChildShards ?? [];
      const listed = new Map(children.map((c) => [c.ShardId, c]));
      const ok =
        read.join() === "0,1,2" &&
        children.length === 2 &&
        named.length === 2 &&
        named.every((c) => {
          const child = listed.get(c.ShardId);
          return (
            child !== undefined &&
            (c.ParentShards ?? []).includes(parent!.ShardId!) &&
            c.HashKeyRange?.StartingHashKey === child.HashKeyRange?.StartingHashKey &&
            c.HashKeyRange?.EndingHashKey === child.HashKeyRange?.EndingHashKey
          );
        });
      const childShards = named.map((c) => `${c.ShardId} (parents ${(c.ParentShards ?? []).join(", ")})`);
      return expect(
        ok,
        `read [${read}] from ${parent!.ShardId}; then no NextShardIterator, ChildShards [${childShards.join(", ")}]; listed children [${children.map((c) => c.ShardId).join(", ")}]`,
      );
    },
  },
  {
    id: "reshard.new-records-to-children",
    group: "reshard",
    lesson: "02",
    aws: "after a split, new records go to the child whose range holds their key, not to the parent",
    source: `${GUIDE}, "Complete the resharding action": data records that flowed to the parent shards are rerouted to the child shards by their hash key`,
    limitSeconds: 150,
    async run(ctx) {
      const {
        name,
        shards: [parent],
      } = await streamOf(ctx, "route", 1);
      const { children } = await splitInHalves(ctx, name, parent!);
      if (children.length !== 2)
        throw new Differs(`${children.length} shard(s) name ${parent!.ShardId} as their parent after the split`);
      const put = async (key: string) =>
        (await ctx.kinesis.send(new PutRecordCommand({ StreamName: name, Data: Buffer.from(key), PartitionKey: key })))
          .ShardId;
      // AWS may still put a record in the parent for a moment after ACTIVE, until the clock
      // reaches the children's start; wait that out (up to 5 s) before counting.
      let early = 0;
      for (const until = Date.now() + 5000; Date.now() < until && (await put("probe")) === parent!.ShardId; early++)
        await sleep(250);
      const misplaced: string[] = [];
      for (let i = 0; i < 20; i++) {
        const key = `key-${i}`;
        const got = await put(key);
        const wanted = holding(children, hashKeyOf(key))?.ShardId;
        if (got !== wanted) misplaced.push(`${key} → ${got}, not ${wanted}`);
      }
      const wait = early ? ` (${early} put(s) still in the parent just after ACTIVE)` : "";
      return expect(
        misplaced.length === 0,
        misplaced.length
          ? `${misplaced.length} of 20 misplaced: ${misplaced.slice(0, 3).join("; ")}${wait}`
          : `20 of 20 in the child that holds their key${wait}`,
      );
    },
  },
  {
    id: "reshard.merge-lineage",
    group: "reshard",
    lesson: "01",
    aws: "MergeShards closes both shards and opens one child: ParentShardId the shard to merge, AdjacentParentShardId the other, their two ranges as one",
    source: `${API}, MergeShards: "the single child shard receives data for all hash key values covered by the two parent shards"; Shard: "AdjacentParentShardId: The shard ID of the shard adjacent to the shard's parent"`,
    limitSeconds: 150,
    async run(ctx) {
      const { name, shards } = await streamOf(ctx, "merge", 2);
      const [low, high] = shards as [Shard, Shard];
      await ctx.kinesis.send(
        new MergeShardsCommand({ StreamName: name, ShardToMerge: low.ShardId, AdjacentShardToMerge: high.ShardId }),
      );
      await untilActive(ctx, name);
      const after = await listAllShards(ctx.kinesis, name);
      const parents = [low, high].map((p) => after.find((s) => s.ShardId === p.ShardId));
      const children = after.filter((s) => [s.ParentShardId, s.AdjacentParentShardId].includes(low.ShardId));
      const problems: string[] = [];
      parents.forEach((p, i) => {
        const id = [low, high][i]!.ShardId;
        if (!p) problems.push(`${id} is no longer listed`);
        else if (isOpen(p)) problems.push(`${id} has no EndingSequenceNumber`);
      });
      const [child] = children;
      if (children.length !== 1 || !child) problems.push(`${children.length} shard(s) name ${low.ShardId} as a parent`);
      else {
        if (child.ParentShardId !== low.ShardId || child.AdjacentParentShardId !== high.ShardId)
          problems.push(
            `${child.ShardId}: ParentShardId ${child.ParentShardId}, AdjacentParentShardId ${child.AdjacentParentShardId}`,
          );
        if (first(child) !== first(low) || last(child) !== last(high))
          problems.push(`${where(child)} is not ${where(low)} and ${where(high)} together`);
      }
      return expect(
        problems.length === 0,
        problems.length
          ? problems.join("; ")
          : `${low.ShardId} and ${high.ShardId} closed; ${where(child!)}, parent ${low.ShardId}, adjacent parent ${high.ShardId}`,
      );
    },
  },
  {
    id: "reshard.merge-not-adjacent",
    group: "reshard",
    lesson: "01",
    aws: "MergeShards of two shards whose ranges do not touch → InvalidArgumentException",
    source: `${API}, MergeShards: "Two shards are considered adjacent if the union of the hash key ranges for the two shards form a contiguous set with no gaps"`,
    limitSeconds: 150,
    async run(ctx) {
      const { name, shards } = await streamOf(ctx, "not-adjacent", 3);
      const [low, , high] = shards as [Shard, Shard, Shard];
      const error = await errorOf(
        ctx.kinesis.send(
          new MergeShardsCommand({ StreamName: name, ShardToMerge: low.ShardId, AdjacentShardToMerge: high.ShardId }),
        ),
      );
      // Taken: let that reshard finish before the stream is deleted.
      if (!error) await untilActive(ctx, name).catch(() => {});
      return expect(
        error?.name === "InvalidArgumentException",
        error ? `${error.name}: ${error.message}` : `merged ${low.ShardId} with ${high.ShardId}`,
      );
    },
  },
  {
    id: "reshard.split-key-outside",
    group: "reshard",
    lesson: "01",
    aws: "SplitShard with a NewStartingHashKey outside the shard's range → InvalidArgumentException",
    source: `${API}, SplitShard: "The value for NewStartingHashKey must be in the range of hash keys being mapped into the shard"`,
    limitSeconds: 150,
    async run(ctx) {
      const { name, shards } = await streamOf(ctx, "split-outside", 2);
      const [low, high] = shards as [Shard, Shard];
      // The middle of the other shard's range: a key the shard to split does not hold.
      const error = await errorOf(
        ctx.kinesis.send(
          new SplitShardCommand({
            StreamName: name,
            ShardToSplit: low.ShardId,
            NewStartingHashKey: String(middle(high)),
          }),
        ),
      );
      if (!error) await untilActive(ctx, name).catch(() => {});
      return expect(
        error?.name === "InvalidArgumentException",
        error ? `${error.name}: ${error.message}` : `split ${where(low)} at a key of ${where(high)}`,
      );
    },
  },
  ...SCALING_CHECKS,
];
