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
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  ListShardsCommand,
  MergeShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  type Shard,
  SplitShardCommand,
  UpdateShardCountCommand,
} from "@aws-sdk/client-kinesis";
import { type Check, type CheckContext, Differs, errorOf, expect } from "./check.js";

const GUIDE = "Amazon Kinesis Data Streams Developer Guide";
const API = "Amazon Kinesis Data Streams API Reference";

/** Hash keys run from 0 to 2^128 − 1: MD5 of the partition key, read as a 128-bit number. */
const KEYS = 2n ** 128n;

const first = (s: Shard) => BigInt(s.HashKeyRange!.StartingHashKey!);
const last = (s: Shard) => BigInt(s.HashKeyRange!.EndingHashKey!);
/** "Shards that are in the OPEN state have an ending sequence number of null." */
const isOpen = (s: Shard) => !s.SequenceNumberRange?.EndingSequenceNumber;
const byRange = (a: Shard, b: Shard) => (first(a) < first(b) ? -1 : first(a) > first(b) ? 1 : 0);
const holding = (shards: Shard[], key: bigint) => shards.find((s) => first(s) <= key && key <= last(s));
const hashKeyOf = (partitionKey: string) => BigInt(`0x${createHash("md5").update(partitionKey).digest("hex")}`);

/** Where a shard's range lies in the key space, in percent: "shardId-000000000001 0–50%". */
const share = (key: bigint) => Number((key * 10_000n + KEYS / 2n) / KEYS) / 100;
const where = (s: Shard) => `${s.ShardId} ${share(first(s))}–${share(last(s) + 1n)}%`;

/**
 * The key that splits a shard into two halves: NewStartingHashKey, the first key of the upper
 * child. ("In many cases, the new hash key might be the average of the beginning and ending
 * hash key", says SplitShard.)
 */
const middle = (s: Shard) => (first(s) + last(s) + 1n) / 2n;

/**
 * Wait until the stream is ACTIVE again, polling DescribeStreamSummary; Differs if it is not
 * within `seconds`. Returns the statuses seen, each once, in order: ["UPDATING", "ACTIVE"] on
 * AWS; an emulator that reshards at once may show "ACTIVE" only.
 */
async function untilActive(ctx: CheckContext, StreamName: string, seconds = 120): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const { StreamDescriptionSummary: s } = await ctx.kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
    const status = s?.StreamStatus ?? "no status";
    if (seen.at(-1) !== status) seen.push(status);
    if (status === "ACTIVE") return seen;
    if (Date.now() > deadline) throw new Differs(`still ${status} ${seconds} s after the reshard`);
    await sleep(250);
  }
}

/** Every shard of the stream, open and closed, page after page (NextToken alone after the first). */
async function allShards(ctx: CheckContext, StreamName: string): Promise<Shard[]> {
  let page = await ctx.kinesis.send(new ListShardsCommand({ StreamName }));
  const shards = [...(page.Shards ?? [])];
  while (page.NextToken) {
    page = await ctx.kinesis.send(new ListShardsCommand({ NextToken: page.NextToken }));
    shards.push(...(page.Shards ?? []));
  }
  return shards;
}

/** Split `parent` in halves and wait for ACTIVE; its two children, lower range first. */
async function splitInHalves(ctx: CheckContext, StreamName: string, parent: Shard) {
  await ctx.kinesis.send(
    new SplitShardCommand({ StreamName, ShardToSplit: parent.ShardId, NewStartingHashKey: String(middle(parent)) }),
  );
  await untilActive(ctx, StreamName);
  const shards = await allShards(ctx, StreamName);
  return { shards, children: shards.filter((s) => s.ParentShardId === parent.ShardId).sort(byRange) };
}

/** A stream of `n` shards, lower range first. */
async function streamOf(ctx: CheckContext, what: string, n: number) {
  const { name, shards } = await ctx.stream(what, n);
  return { name, shards: [...shards].sort(byRange) };
}

/**
 * Where each open shard came from, back to the stream's first shards: what is wrong with
 * that lineage (a parent not listed, or still open), or nothing.
 */
function lineageProblems(shards: Shard[], original: Set<string>): string[] {
  const byId = new Map(shards.map((s) => [s.ShardId!, s]));
  const problems: string[] = [];
  const climb = (s: Shard, path: string[]): void => {
    const parents = [s.ParentShardId, s.AdjacentParentShardId].filter((p): p is string => Boolean(p));
    if (parents.length === 0) {
      if (!original.has(s.ShardId!)) problems.push(`${[...path, s.ShardId].join(" ← ")} has no parent`);
      return;
    }
    for (const id of parents) {
      const parent = byId.get(id);
      if (!parent) problems.push(`${s.ShardId}'s parent ${id} is not listed`);
      else if (isOpen(parent)) problems.push(`${s.ShardId}'s parent ${id} is still open`);
      else climb(parent, [...path, s.ShardId!]);
    }
  };
  for (const open of shards.filter(isOpen)) climb(open, []);
  return [...new Set(problems)];
}

/**
 * What is wrong with these open shards as UNIFORM_SCALING's result: they must cover the key
 * space once, without gap or overlap, each with 1/n of it. AWS does not say how it rounds;
 * one part in a million is far tighter than any uneven split (a quarter against a half).
 */
function uniformProblems(open: Shard[]): string[] {
  const sorted = [...open].sort(byRange);
  const problems: string[] = [];
  if (sorted.length === 0) return ["no open shard"];
  if (first(sorted[0]!) !== 0n) problems.push(`the first open shard starts at ${first(sorted[0]!)}`);
  if (last(sorted.at(-1)!) !== KEYS - 1n) problems.push(`the last open shard ends at ${last(sorted.at(-1)!)}`);
  for (let i = 1; i < sorted.length; i++)
    if (first(sorted[i]!) !== last(sorted[i - 1]!) + 1n)
      problems.push(`a gap or overlap between ${sorted[i - 1]!.ShardId} and ${sorted[i]!.ShardId}`);
  const even = KEYS / BigInt(sorted.length);
  const uneven = sorted.filter((s) => {
    const width = last(s) - first(s) + 1n;
    const off = width > even ? width - even : even - width;
    return off * 1_000_000n > even;
  });
  if (uneven.length) problems.push(`not of equal size: ${sorted.map(where).join(", ")}`);
  return problems;
}

const bodies = (records: { Data?: Uint8Array }[] = []) => records.map((r) => Buffer.from(r.Data ?? []).toString());

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
      const after = await allShards(ctx, name);
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
      const after = await allShards(ctx, name);
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
