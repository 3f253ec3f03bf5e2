// What the reshard checks share: a shard's range and its place in the hash-key space, waiting
// until a stream is ACTIVE again, and the problems a shard map can have
// (a child without its parents, shards that are not even).
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { DescribeStreamSummaryCommand, type Shard, SplitShardCommand } from "@aws-sdk/client-kinesis";
import { type CheckContext, Differs } from "./check.js";
import { listAllShards } from "../shared/records.js";

/** Hash keys run from 0 to 2^128 − 1: MD5 of the partition key, read as a 128-bit number. */
export const KEYS = 2n ** 128n;

export const first = (s: Shard) => BigInt(s.HashKeyRange!.StartingHashKey!);
export const last = (s: Shard) => BigInt(s.HashKeyRange!.EndingHashKey!);
/** "Shards that are in the OPEN state have an ending sequence number of null." */
export const isOpen = (s: Shard) => !s.SequenceNumberRange?.EndingSequenceNumber;
export const byRange = (a: Shard, b: Shard) => (first(a) < first(b) ? -1 : first(a) > first(b) ? 1 : 0);
export const holding = (shards: Shard[], key: bigint) => shards.find((s) => first(s) <= key && key <= last(s));
export const hashKeyOf = (partitionKey: string) => BigInt(`0x${createHash("md5").update(partitionKey).digest("hex")}`);

/** Where a shard's range lies in the key space, in percent: "shardId-000000000001 0–50%". */
export const share = (key: bigint) => Number((key * 10_000n + KEYS / 2n) / KEYS) / 100;
export const where = (s: Shard) => `${s.ShardId} ${share(first(s))}–${share(last(s) + 1n)}%`;

/**
 * The key that splits a shard into two halves: NewStartingHashKey, the first key of the upper
 * child. ("In many cases, the new hash key might be the average of the beginning and ending
 * hash key", says SplitShard.)
 */
export const middle = (s: Shard) => (first(s) + last(s) + 1n) / 2n;

/**
 * Wait until the stream is ACTIVE again, polling DescribeStreamSummary; Differs if it is not
 * within `seconds`. Returns the statuses seen, each once, in order: ["UPDATING", "ACTIVE"] on
 * AWS; an emulator that reshards at once may show "ACTIVE" only.
 */
export async function untilActive(ctx: CheckContext, StreamName: string, seconds = 120): Promise<string[]> {
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

/** Split `parent` in halves and wait for ACTIVE; its two children, lower range first. */
export async function splitInHalves(ctx: CheckContext, StreamName: string, parent: Shard) {
  await ctx.kinesis.send(
    new SplitShardCommand({ StreamName, ShardToSplit: parent.ShardId, NewStartingHashKey: String(middle(parent)) }),
  );
  await untilActive(ctx, StreamName);
  const shards = await listAllShards(ctx.kinesis, StreamName);
  return { shards, children: shards.filter((s) => s.ParentShardId === parent.ShardId).sort(byRange) };
}

/** A stream of `n` shards, lower range first. */
export async function streamOf(ctx: CheckContext, what: string, n: number) {
  const { name, shards } = await ctx.stream(what, n);
  return { name, shards: [...shards].sort(byRange) };
}

/**
 * Where each open shard came from, back to the stream's first shards: what is wrong with
 * that lineage (a parent not listed, or still open), or nothing.
 */
export function lineageProblems(shards: Shard[], original: Set<string>): string[] {
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
export function uniformProblems(open: Shard[]): string[] {
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

export const bodies = (records: { Data?: Uint8Array }[] = []) =>
  records.map((r) => Buffer.from(r.Data ?? []).toString());
