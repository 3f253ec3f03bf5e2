// No record lost: 10,000 records put by lesson 02 are each read by lesson 03, processed by
// lesson 04's KCL workers, and 10,000 more put by lesson 05 are each handled by its Lambda
// function. Every consumer reports records, unique and duplicates; unique must equal what
// was put. (That a PutRecords reply refusing some entries gets them all sent again is
// tested with injected failures in shared/records.test.ts and 02-produce-data/main.test.ts.)
import { describe, expect, it } from "vitest";
import * as lesson01 from "../01-make-a-stream/main.js";
import * as lesson02 from "../02-produce-data/main.js";
import * as lesson03 from "../03-basic-consumer/main.js";
import * as lesson04 from "../04-kcl-consumer/main.js";
import * as lesson05 from "../05-lambda-function/main.js";
import type { Flags, LessonInfo } from "../shared/options.js";
import { localOptions, useTestEmulator } from "./emulator.js";

const testEmulator = useTestEmulator();
const stream = `no-loss-${process.pid}`;
const options = <F extends Flags>(lesson: LessonInfo<F>, ...more: string[]) =>
  localOptions(lesson, testEmulator.current, stream, ...more);

describe("10,000 records through every consumer, none lost", () => {
  it("lesson 02 puts 10,000 across two shards", async () => {
    await lesson01.main(options(lesson01.lesson, "--shards", "2"));
    const sent = await lesson02.main(options(lesson02.lesson, "--count", "10000"));
    expect(sent.sent).toBe(10_000);
  });

  it("lesson 03 reads each of them", async () => {
    const read = await lesson03.main(options(lesson03.lesson));
    expect(read).toMatchObject({ records: 10_000, unique: 10_000, duplicates: 0 });
  });

  it("lesson 04's KCL workers process each of them", async () => {
    const processed = (await lesson04.main(options(lesson04.lesson, "--expect", "10000", "--timeout", "240"))) as {
      records: number;
      unique: number;
      duplicates: number;
    };
    expect(processed).toMatchObject({ unique: 10_000, leases: 2 });
    expect(processed.records - processed.unique).toBe(processed.duplicates);
  }, 300_000);

  it("lesson 05's function handles each of 10,000 more", async () => {
    const handled = (await lesson05.main(
      options(lesson05.lesson, "--count", "10000", "--timeout", "240"),
    )) as lesson05.Summary;
    expect(handled).toMatchObject({ produced: 10_000, unique: 10_000 });
    expect(handled.records! - handled.unique!).toBe(handled.duplicates);
  }, 300_000);
});
