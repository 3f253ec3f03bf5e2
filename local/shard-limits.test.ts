import { describe, expect, it } from "vitest";
import { hashKeyOf, Meter, MiB, ShardMeters, throttledEntry, rateExceededMessage } from "./shard-limits.js";

/** A clock the test moves by hand. */
function fakeClock() {
  let ms = 0;
  return { now: () => ms, advance: (by: number) => (ms += by) };
}

describe("Meter", () => {
  it("starts full, refuses past its capacity, and refills at its rate", () => {
    const clock = fakeClock();
    const meter = new Meter(1000, 500, clock.now);
    expect(meter.take(500)).toBe(true);
    expect(meter.take(1)).toBe(false);
    clock.advance(100); // 0.1 s at 1,000/s
    expect(meter.available()).toBeCloseTo(100);
    expect(meter.take(101)).toBe(false);
    expect(meter.take(100)).toBe(true);
  });

  it("never holds more than its capacity, however long it waits", () => {
    const clock = fakeClock();
    const meter = new Meter(1000, 500, clock.now);
    clock.advance(60_000);
    expect(meter.available()).toBe(500);
  });

  it("goes into debt on a charge larger than what is left, and pays it back at its rate", () => {
    const clock = fakeClock();
    const meter = new Meter(2 * MiB, 2 * MiB, clock.now);
    meter.charge(10 * MiB); // one GetRecords that returned 10 MiB
    expect(meter.available()).toBe(-8 * MiB);
    clock.advance(3000);
    expect(meter.available()).toBe(-2 * MiB);
    clock.advance(1001);
    expect(meter.available()).toBeGreaterThan(0);
  });
});

describe("ShardMeters", () => {
  it("takes 500 records at once, then 1,000 records a second", () => {
    const clock = fakeClock();
    const shard = new ShardMeters(true, clock.now);
    let admitted = 0;
    for (let i = 0; i < 2000; i++) if (shard.admitWrite(100)) admitted++;
    expect(admitted).toBe(500);
    clock.advance(1000);
    for (let i = 0; i < 2000; i++) if (shard.admitWrite(100)) admitted++;
    expect(admitted).toBe(1000); // 500 more: the bucket holds at most 500
    expect(shard.totals).toMatchObject({ recordsIn: 1000, bytesIn: 100_000, writesThrottled: 3000 });
  });

  it("holds writes to 1 MiB a second of data plus keys", () => {
    const clock = fakeClock();
    const shard = new ShardMeters(true, clock.now);
    expect(shard.admitWrite(600 * 1024)).toBe(true);
    expect(shard.admitWrite(600 * 1024)).toBe(false); // 1.2 MiB within the same moment
    clock.advance(600);
    expect(shard.admitWrite(600 * 1024)).toBe(true);
  });

  it("gives back a record the emulator did not store: it does not hold the shard back", () => {
    const clock = fakeClock();
    const shard = new ShardMeters(true, clock.now);
    expect(shard.admitWrite(1024 * 1024)).toBe(true); // the whole byte allowance...
    shard.refundWrite(1024 * 1024); // ...given back: the emulator refused the record
    expect(shard.admitWrite(1024 * 1024)).toBe(true); // at the same moment, a record of the same size fits
    expect(shard.totals).toMatchObject({ recordsIn: 1, bytesIn: 1024 * 1024 });
  });

  it("lets a record larger than 1 MiB through only on a full bucket, then refuses until it is paid back", () => {
    const clock = fakeClock();
    const shard = new ShardMeters(true, clock.now);
    expect(shard.admitWrite(100)).toBe(true);
    expect(shard.admitWrite(4 * MiB)).toBe(false); // the bucket is not full
    clock.advance(10);
    expect(shard.admitWrite(4 * MiB)).toBe(true);
    clock.advance(2000);
    expect(shard.admitWrite(100)).toBe(false); // 3 MiB of debt, 2 s paid back
    clock.advance(1100);
    expect(shard.admitWrite(100)).toBe(true);
  });

  it("serves 5 reads a second, and after a 10 MiB read refuses reads for about 5 s", () => {
    const clock = fakeClock();
    const shard = new ShardMeters(true, clock.now);
    const reads = Array.from({ length: 20 }, () => shard.admitRead());
    expect(reads.filter(Boolean)).toHaveLength(5);
    clock.advance(1000);
    expect(shard.admitRead()).toBe(true);
    shard.chargeRead(10_000, 10 * MiB);
    for (const second of [1, 2, 3, 4]) {
      clock.advance(1000);
      expect(shard.admitRead(), `after ${second} s`).toBe(false);
    }
    clock.advance(1000);
    expect(shard.admitRead()).toBe(true);
    expect(shard.totals).toMatchObject({ reads: 7, recordsOut: 10_000, bytesOut: 10 * MiB, readsThrottled: 19 });
  });

  it("keeps each shard's meters apart", () => {
    const clock = fakeClock();
    const a = new ShardMeters(true, clock.now);
    const b = new ShardMeters(true, clock.now);
    for (let i = 0; i < 600; i++) a.admitWrite(10);
    expect(a.admitWrite(10)).toBe(false);
    expect(b.admitWrite(10)).toBe(true);
  });

  it("with limits off counts everything and refuses nothing", () => {
    const shard = new ShardMeters(false, fakeClock().now);
    for (let i = 0; i < 5000; i++) expect(shard.admitWrite(1000)).toBe(true);
    for (let i = 0; i < 50; i++) expect(shard.admitRead()).toBe(true);
    expect(shard.totals).toMatchObject({ recordsIn: 5000, writesThrottled: 0, reads: 50, readsThrottled: 0 });
  });
});

describe("the hash key a record gets (the local Kinesis places it: kinesis-engine.test.ts)", () => {
  it("hashes the partition key with MD5 into a 128-bit number", () => {
    expect(hashKeyOf("")).toBe(0xd41d8cd98f00b204e9800998ecf8427en);
    expect(hashKeyOf("a")).toBe(0x0cc175b9c0f1b6a831c399e269772661n);
  });
});

describe("AWS's refusals", () => {
  it("PutRecord and GetRecords: ProvisionedThroughputExceededException naming shard, stream and account", () => {
    expect(rateExceededMessage("shardId-000000000000", "workshop-stream", "000000000000")).toBe(
      "Rate exceeded for shard shardId-000000000000 in stream workshop-stream under account 000000000000.",
    );
  });

  it("PutRecords: a refused entry carries ErrorCode and ErrorMessage", () => {
    expect(throttledEntry("shardId-000000000001", "s", "123456789012")).toEqual({
      ErrorCode: "ProvisionedThroughputExceededException",
      ErrorMessage: "Rate exceeded for shard shardId-000000000001 in stream s under account 123456789012.",
    });
  });
});
