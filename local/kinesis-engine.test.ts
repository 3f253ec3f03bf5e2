// The local target's Kinesis, called as the endpoint calls it (parsed calls in, AWS-shaped
// replies out), on a fake clock: streams, records, iterators, resharding and what survives a restart.
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MeteredKinesis } from "./kinesis-calls.js";
import { KinesisStore } from "./kinesis-store.js";
import { parseKinesisCall, type KinesisCall } from "./parse.js";
import { hashKeyOf } from "./shard-limits.js";
import { EndpointStats } from "./stats.js";

let clock = 1_800_000_000_000;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function kinesisOn(dir?: string, now = () => clock) {
  const store = new KinesisStore(dir);
  const kinesis = new MeteredKinesis(store, new EndpointStats(false), now);
  /** Call an operation; the parsed reply, or the error's type and message. */
  const call = (operation: string, input: object) => {
    const parsed = parseKinesisCall(
      operation,
      {
        authorization:
          "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=ab",
      },
      Buffer.from(JSON.stringify(input)),
    );
    if (!("operation" in parsed)) throw new Error(`refused by parse: ${parsed.body}`);
    const reply = kinesis.serve(parsed as KinesisCall);
    const body = JSON.parse(String(reply.body));
    return reply.status === 200 ? body : { error: body.__type as string, message: body.message as string };
  };
  const put = (StreamName: string, key: string, text = key) =>
    call("PutRecord", { StreamName, PartitionKey: key, Data: Buffer.from(text).toString("base64") });
  const shards = (StreamName: string) => call("ListShards", { StreamName }).Shards as Shard[];
  const readAll = (StreamName: string, ShardId: string) => {
    let { ShardIterator } = call("GetShardIterator", { StreamName, ShardId, ShardIteratorType: "TRIM_HORIZON" });
    const texts: string[] = [];
    let last: Record<string, unknown> = {};
    while (ShardIterator) {
      last = call("GetRecords", { ShardIterator });
      for (const r of last.Records as { Data: string }[]) texts.push(Buffer.from(r.Data, "base64").toString());
      if ((last.Records as unknown[]).length === 0 && last.NextShardIterator) break; // caught up on an open shard
      ShardIterator = last.NextShardIterator as string | undefined;
    }
    return { texts, last };
  };
  return { store, call, put, shards, readAll };
}

type Shard = {
  ShardId: string;
  ParentShardId?: string;
  AdjacentParentShardId?: string;
  HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
  SequenceNumberRange: { StartingSequenceNumber: string; EndingSequenceNumber?: string };
};
const open = (shards: Shard[]) => shards.filter((s) => !s.SequenceNumberRange.EndingSequenceNumber);
const range = (s: Shard) => [BigInt(s.HashKeyRange.StartingHashKey), BigInt(s.HashKeyRange.EndingHashKey)];
const MAX = 2n ** 128n - 1n;

describe("the local Kinesis: streams and records", () => {
  it("splits the hash-key space as AWS does, places records by MD5, and numbers them in order within a shard", () => {
    const k = kinesisOn();
    k.call("CreateStream", { StreamName: "s", ShardCount: 3 });
    const [a, b, c] = k.shards("s");
    expect(range(a!)).toEqual([0n, 113427455640312821154458202477256070484n]);
    expect(range(b!)[0]).toBe(113427455640312821154458202477256070485n);
    expect(range(c!)[1]).toBe(MAX);
    const placed = ["alpha", "beta", "gamma", "delta"].map((key) => ({ key, ...k.put("s", key) }));
    for (const { key, ShardId } of placed) {
      const shard = k.shards("s").find((s) => s.ShardId === ShardId)!;
      const [start, end] = range(shard);
      expect(hashKeyOf(key) >= start! && hashKeyOf(key) <= end!, key).toBe(true);
    }
    // ExplicitHashKey, not the partition key's MD5, chooses the shard when it is given.
    const explicit = (ExplicitHashKey: bigint) =>
      k.call("PutRecord", {
        StreamName: "s",
        PartitionKey: "a",
        ExplicitHashKey: String(ExplicitHashKey),
        Data: "eA==",
      }).ShardId;
    expect([explicit(0n), explicit(range(b!)[0]!), explicit(MAX)]).toEqual([a!.ShardId, b!.ShardId, c!.ShardId]);
    const first = BigInt(k.put("s", "alpha").SequenceNumber);
    const second = BigInt(k.put("s", "alpha").SequenceNumber);
    expect(second > first).toBe(true);
    expect(k.put("s", "alpha").SequenceNumber).toMatch(/^49\d{54}$/);
  });

  it("answers as AWS for a missing stream, a name in use, and a sequence number from another shard", () => {
    const k = kinesisOn();
    expect(k.put("nope", "k")).toEqual({
      error: "ResourceNotFoundException",
      message: "Stream nope under account 000000000000 not found.",
    });
    k.call("CreateStream", { StreamName: "s", ShardCount: 2 });
    expect(k.call("CreateStream", { StreamName: "s", ShardCount: 2 }).error).toBe("ResourceInUseException");
    const { SequenceNumber, ShardId } = k.put("s", "alpha");
    const other = k.shards("s").find((s) => s.ShardId !== ShardId)!.ShardId;
    const wrong = k.call("GetShardIterator", {
      StreamName: "s",
      ShardId: other,
      ShardIteratorType: "AT_SEQUENCE_NUMBER",
      StartingSequenceNumber: SequenceNumber,
    });
    expect(wrong.error).toBe("InvalidArgumentException");
    expect(k.call("GetRecords", { ShardIterator: "bm90IGFuIGl0ZXJhdG9y" }).error).toBe("InvalidArgumentException");
  });

  it("starts each iterator type where it says, and expires an iterator after 5 minutes", () => {
    const k = kinesisOn();
    k.call("CreateStream", { StreamName: "s", ShardCount: 1 });
    const seqs = ["a", "b", "c"].map((t) => {
      clock += 10;
      return k.put("s", "key", t).SequenceNumber as string;
    });
    const from = (input: object) => {
      const { ShardIterator } = k.call("GetShardIterator", {
        StreamName: "s",
        ShardId: "shardId-000000000000",
        ...input,
      });
      const got = k.call("GetRecords", { ShardIterator });
      return (got.Records as { Data: string }[]).map((r) => Buffer.from(r.Data, "base64").toString()).join("");
    };
    expect(from({ ShardIteratorType: "TRIM_HORIZON" })).toBe("abc");
    expect(from({ ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: seqs[1] })).toBe("bc");
    expect(from({ ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: seqs[1] })).toBe("c");
    expect(from({ ShardIteratorType: "AT_TIMESTAMP", Timestamp: (clock - 10) / 1000 })).toBe("bc");
    expect(from({ ShardIteratorType: "LATEST" })).toBe("");
    const { ShardIterator } = k.call("GetShardIterator", {
      StreamName: "s",
      ShardId: "shardId-000000000000",
      ShardIteratorType: "TRIM_HORIZON",
    });
    clock += 5 * 60_000 + 1;
    expect(k.call("GetRecords", { ShardIterator }).error).toBe("ExpiredIteratorException");
  });
});

describe("the local Kinesis: resharding", () => {
  it("SplitShard closes the parent, keeps its records, and a reader at its end is sent to the children", () => {
    const k = kinesisOn();
    k.call("CreateStream", { StreamName: "s", ShardCount: 1 });
    k.put("s", "before");
    expect(
      k.call("SplitShard", {
        StreamName: "s",
        ShardToSplit: "shardId-000000000000",
        NewStartingHashKey: String(2n ** 127n),
      }),
    ).toEqual({});
    expect(k.call("DescribeStreamSummary", { StreamName: "s" }).StreamDescriptionSummary.StreamStatus).toBe("UPDATING");
    const [parent, low, high] = k.shards("s");
    expect(parent!.SequenceNumberRange.EndingSequenceNumber).toBeDefined();
    expect([low!.ParentShardId, high!.ParentShardId]).toEqual([parent!.ShardId, parent!.ShardId]);
    expect([...range(low!), ...range(high!)]).toEqual([0n, 2n ** 127n - 1n, 2n ** 127n, MAX]);
    expect(k.put("s", "after").ShardId).not.toBe(parent!.ShardId); // new records go to open shards only
    const { texts, last } = k.readAll("s", parent!.ShardId);
    expect(texts).toEqual(["before"]);
    expect(last.NextShardIterator).toBeUndefined();
    expect((last.ChildShards as { ShardId: string }[]).map((c) => c.ShardId)).toEqual([low!.ShardId, high!.ShardId]);
  });

  it("refuses what AWS refuses: a second reshard while UPDATING, a key outside the shard, shards not adjacent, more than double", () => {
    const k = kinesisOn();
    k.call("CreateStream", { StreamName: "s", ShardCount: 3 });
    const merge = (a: string, b: string) =>
      k.call("MergeShards", {
        StreamName: "s",
        ShardToMerge: `shardId-00000000000${a}`,
        AdjacentShardToMerge: `shardId-00000000000${b}`,
      });
    expect(merge("0", "2").error).toBe("InvalidArgumentException");
    const outside = k.call("SplitShard", {
      StreamName: "s",
      ShardToSplit: "shardId-000000000000",
      NewStartingHashKey: String(MAX - 5n),
    });
    expect(outside.error).toBe("InvalidArgumentException");
    expect(merge("0", "1")).toEqual({});
    expect(merge("2", "3").error).toBe("ResourceInUseException"); // UPDATING for a second
    clock += 1000;
    expect(merge("0", "2").error).toBe("ResourceInUseException"); // shard 0 is closed now
    const more = k.call("UpdateShardCount", { StreamName: "s", TargetShardCount: 5, ScalingType: "UNIFORM_SCALING" });
    expect(more.error).toBe("LimitExceededException");
  });

  it("takes UpdateShardCount 10 times in 24 hours per stream, as AWS does, and refuses the 11th until a day has passed", () => {
    const k = kinesisOn();
    k.call("CreateStream", { StreamName: "s", ShardCount: 1 });
    const scale = (TargetShardCount: number) => {
      clock += 1000; // past the second the stream is UPDATING
      return k.call("UpdateShardCount", { StreamName: "s", TargetShardCount, ScalingType: "UNIFORM_SCALING" });
    };
    for (let i = 0; i < 10; i++) expect(scale(i % 2 === 0 ? 2 : 1).error, `call ${i + 1}`).toBeUndefined();
    expect(scale(2).error).toBe("LimitExceededException");
    clock += 24 * 3_600_000;
    expect(scale(2).error).toBeUndefined();
  });

  it("UpdateShardCount 1 → 2 → 4 → 2 → 3: even open shards, each child with at most two parents that cover it", () => {
    const k = kinesisOn();
    k.call("CreateStream", { StreamName: "s", ShardCount: 1 });
    for (const target of [2, 4, 2, 3]) {
      clock += 1000;
      const reply = k.call("UpdateShardCount", {
        StreamName: "s",
        TargetShardCount: target,
        ScalingType: "UNIFORM_SCALING",
      });
      expect(reply.TargetShardCount, String(reply.message)).toBe(target);
      const all = k.shards("s");
      const now = open(all).sort((a, b) => (range(a)[0]! < range(b)[0]! ? -1 : 1));
      expect(now).toHaveLength(target);
      expect(range(now[0]!)[0]).toBe(0n);
      expect(range(now.at(-1)!)[1]).toBe(MAX);
      for (const [i, shard] of now.entries()) {
        if (i > 0) expect(range(shard)[0]).toBe(range(now[i - 1]!)[1]! + 1n); // no gap, no overlap
        const width = range(shard)[1]! - range(shard)[0]!;
        expect(Number((width * 1000n) / (MAX / BigInt(target)))).toBeGreaterThan(990); // even
      }
      for (const child of all.filter((s) => s.ParentShardId)) {
        const parents = [child.ParentShardId, child.AdjacentParentShardId]
          .filter(Boolean)
          .map((id) => all.find((s) => s.ShardId === id)!);
        const [start, end] = range(child);
        if (parents.length === 1) {
          // A split: the child lies within its parent.
          expect(range(parents[0]!)[0]! <= start! && end! <= range(parents[0]!)[1]!).toBe(true);
        } else {
          // A merge: two adjacent parents, and the child is exactly their two ranges.
          const [low, high] = parents.map(range).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
          expect([low![0], low![1]! + 1n, high![1]]).toEqual([start, high![0], end]);
        }
      }
    }
  });
});

describe("the local Kinesis on disk", () => {
  it("finds every stream, shard and record again after a restart, and drops a last line cut short", () => {
    const dir = mkdtempSync(join(tmpdir(), "kinesis-store-"));
    dirs.push(dir);
    const before = kinesisOn(dir);
    before.call("CreateStream", { StreamName: "s", ShardCount: 1 });
    before.put("s", "one");
    before.call("SplitShard", {
      StreamName: "s",
      ShardToSplit: "shardId-000000000000",
      NewStartingHashKey: String(2n ** 127n),
    });
    const two = before.put("s", "two");
    before.store.close();
    const log = readdirSync(dir).find((f) => f.startsWith("records-"))!;
    appendFileSync(join(dir, log), "1\t4900"); // a put that was never acknowledged

    const after = kinesisOn(dir);
    expect(after.shards("s").map((s) => s.ShardId)).toEqual([
      "shardId-000000000000",
      "shardId-000000000001",
      "shardId-000000000002",
    ]);
    expect(after.readAll("s", "shardId-000000000000").texts).toEqual(["one"]);
    expect(after.readAll("s", two.ShardId).texts).toEqual(["two"]);
    const three = after.put("s", "two", "three"); // same key, same shard: numbered after what was there
    expect(BigInt(three.SequenceNumber) > BigInt(two.SequenceNumber)).toBe(true);
    expect(after.readAll("s", two.ShardId).texts).toEqual(["two", "three"]);
    after.store.close();
    expect(kinesisOn(dir).readAll("s", two.ShardId).texts).toEqual(["two", "three"]); // the cut line did not swallow it
  });
});

describe("the local Kinesis on disk, a day later", () => {
  it("drops records past the retention period when it starts, and rewrites the log without them", () => {
    const dir = mkdtempSync(join(tmpdir(), "kinesis-store-"));
    dirs.push(dir);
    clock = Date.now() - 25 * 3_600_000; // yesterday: past the 24 hours a stream keeps records
    const before = kinesisOn(dir);
    before.call("CreateStream", { StreamName: "s", ShardCount: 1 });
    before.put("s", "old");
    clock = Date.now();
    before.put("s", "new");
    before.store.close();
    const log = join(dir, readdirSync(dir).find((f) => f.startsWith("records-"))!);
    expect(readFileSync(log, "utf8").split("\n")).toHaveLength(3);

    expect(kinesisOn(dir).readAll("s", "shardId-000000000000").texts).toEqual(["new"]);
    expect(readFileSync(log, "utf8").split("\n")).toHaveLength(2);
  });
});

describe("the local Kinesis: input checked as AWS checks it", () => {
  it("refuses missing required fields, values out of bounds and unknown enum values, and changes nothing", () => {
    const k = kinesisOn();
    k.call("CreateStream", { StreamName: "s", ShardCount: 1 });
    k.put("s", "kept");
    const refused = (operation: string, input: object) => k.call(operation, { StreamName: "s", ...input }).error;
    expect(refused("IncreaseStreamRetentionPeriod", {})).toBe("ValidationException");
    expect(refused("IncreaseStreamRetentionPeriod", { RetentionPeriodHours: 24 })).toBe("InvalidArgumentException"); // not longer
    expect(refused("ListShards", { MaxResults: 0 })).toBe("ValidationException");
    expect(refused("ListShards", { ShardFilter: { Type: "FOO" } })).toBe("ValidationException");
    expect(refused("ListShards", { ShardFilter: { Type: "AFTER_SHARD_ID" } })).toBe("InvalidArgumentException");
    expect(refused("UpdateShardCount", { ScalingType: "UNIFORM_SCALING" })).toBe("ValidationException");
    expect(refused("UpdateShardCount", { TargetShardCount: 2, ScalingType: "FAST" })).toBe("ValidationException");
    expect(refused("SplitShard", { NewStartingHashKey: "5" })).toBe("ValidationException");
    expect(refused("RemoveTagsFromStream", { TagKeys: 5 })).toBe("ValidationException");
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, "v"]));
    expect(refused("AddTagsToStream", { Tags: eleven })).toBe("ValidationException");
    expect(k.call("ListStreams", { NextToken: "!!!garbage" }).error).toBe("InvalidArgumentException");
    const large = Buffer.alloc(1024 * 1024 - 100, 97).toString("base64"); // 11 records just under 1 MiB: 11 MiB in all
    const Records = Array.from({ length: 11 }, (_, i) => ({ PartitionKey: `k${i}`, Data: large }));
    expect(refused("PutRecords", { Records })).toBe("ValidationException");
    expect(k.call("CreateStream", { StreamName: "m", StreamModeDetails: { StreamMode: "BAD" } }).error).toBe(
      "ValidationException",
    );
    const summary = k.call("DescribeStreamSummary", { StreamName: "s" }).StreamDescriptionSummary;
    expect(summary.RetentionPeriodHours).toBe(24);
    expect(k.readAll("s", "shardId-000000000000").texts).toEqual(["kept"]);
  });

  it("keeps ListShards' NextToken rules: alone, and for 300 seconds", () => {
    const k = kinesisOn();
    k.call("CreateStream", { StreamName: "s", ShardCount: 3 });
    const { NextToken, Shards } = k.call("ListShards", { StreamName: "s", MaxResults: 2 });
    expect(Shards).toHaveLength(2);
    expect(k.call("ListShards", { NextToken, ExclusiveStartShardId: "shardId-000000000000" }).error).toBe(
      "InvalidArgumentException",
    );
    expect(k.call("ListShards", { NextToken }).Shards).toHaveLength(1);
    clock += 300_001;
    expect(k.call("ListShards", { NextToken }).error).toBe("ExpiredNextTokenException");
  });

  it("lists every shard of a new stream as open at its trim horizon, and reshards only provisioned streams", () => {
    const k = kinesisOn(undefined, () => clock++); // a clock that moves between any two readings
    k.call("CreateStream", { StreamName: "s", ShardCount: 4 });
    expect(k.call("ListShards", { StreamName: "s", ShardFilter: { Type: "AT_TRIM_HORIZON" } }).Shards).toHaveLength(4);
    k.call("CreateStream", { StreamName: "od" });
    const split = k.call("SplitShard", {
      StreamName: "od",
      ShardToSplit: "shardId-000000000000",
      NewStartingHashKey: "100",
    });
    expect(split.error).toBe("ValidationException");
  });
});
