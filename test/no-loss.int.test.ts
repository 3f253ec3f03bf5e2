// No record lost while the stream reshards: 10,000 records put by lesson 02 while lesson 01
// takes the stream from 1 shard to 2, 4 and back to 2 are each read by lesson 03 (parents
// before children, every key's order kept) and processed by lesson 04's KCL workers; 10,000
// more put by lesson 05 while the stream goes to 4 shards and back are each handled by its
// Lambda function. Every consumer reports records, unique and duplicates; unique must equal
// what was put. (That a PutRecords reply refusing some entries gets them all sent again is
// tested with injected failures in shared/records.test.ts and 02-produce-data/main.test.ts.)
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import * as lesson01 from "../01-make-a-stream/main.js";
import * as lesson02 from "../02-produce-data/main.js";
import * as lesson03 from "../03-basic-consumer/main.js";
import * as lesson04 from "../04-kcl-consumer/main.js";
import * as lesson05 from "../05-lambda-function/main.js";
import type { Summary } from "../05-lambda-function/names.js";
import type { Flags, LessonInfo } from "../shared/options.js";
import { localOptions, useTestEmulator } from "./emulator.js";

const testEmulator = useTestEmulator();
const stream = `no-loss-${process.pid}`;
const options = <F extends Flags>(lesson: LessonInfo<F>, ...more: string[]) =>
  localOptions(lesson, testEmulator.current, stream, ...more);

/** Lesson 01 --reshard to each count in turn, `gapMs` apart, while something else runs. */
async function reshardInTurn(counts: number[], gapMs: number): Promise<number[]> {
  const done: number[] = [];
  for (const count of counts) {
    await sleep(gapMs);
    const resharded = await lesson01.main(options(lesson01.lesson, "--reshard", String(count)));
    done.push(resharded.shardIds!.length);
  }
  return done;
}

describe("10,000 records through every consumer while the stream reshards, none lost", () => {
  it("lesson 02 puts 9,000 spread over the shards and 1,000 under one key, in order, while the stream goes 1 → 2 → 4 → 2 shards", async () => {
    await lesson01.main(options(lesson01.lesson, "--shards", "1"));
    const [spread, oneKey, shards] = await Promise.all([
      lesson02.main(options(lesson02.lesson, "--count", "9000")),
      // One key, one PutRecord at a time: a batch's refused entries, sent again, would land after later ones.
      lesson02.main(options(lesson02.lesson, "--count", "1000", "--key", "fixed", "--single")),
      reshardInTurn([2, 4, 2], 700),
    ]);
    expect(shards).toEqual([2, 4, 2]);
    expect(spread.sent + oneKey.sent).toBe(10_000);
  }, 120_000);

  it("lesson 03 reads each of them, the closed parents first, every key's records in order", async () => {
    const read = await lesson03.main(options(lesson03.lesson));
    expect(read).toMatchObject({ records: 10_000, unique: 10_000, duplicates: 0, closedShards: 7, outOfOrder: 0 });
  });

  it("lesson 04's KCL workers process each of them", async () => {
    const processed = (await lesson04.main(options(lesson04.lesson, "--expect", "10000", "--timeout", "240"))) as {
      records: number;
      unique: number;
      duplicates: number;
    };
    expect(processed).toMatchObject({ unique: 10_000 });
    expect(processed.records - processed.unique).toBe(processed.duplicates);
  }, 300_000);

  it("lesson 05's function handles each of 10,000 more while the stream goes to 4 shards and back to 2", async () => {
    const [handled, shards] = await Promise.all([
      lesson05.main(options(lesson05.lesson, "--count", "10000", "--timeout", "240")) as Promise<Summary>,
      reshardInTurn([4, 2], 1500),
    ]);
    expect(shards).toEqual([4, 2]);
    expect(handled).toMatchObject({ produced: 10_000, unique: 10_000 });
    expect(handled.records! - handled.unique!).toBe(handled.duplicates);
  }, 300_000);
});
