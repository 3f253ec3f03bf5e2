// Lessons 01 → 02 → 03 in order against a real MiniStack of the test's own.
import { describe, expect, it } from "vitest";
import * as lesson01 from "../01-make-a-stream/main.js";
import * as lesson02 from "../02-produce-data/main.js";
import * as lesson03 from "../03-basic-consumer/main.js";
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { clientFor } from "../shared/index.js";
import { lastJson, runCli } from "./cli.js";
import { findRunningEmulator } from "../local/emulator.js";
import { freePort, localArgs, localOptions, useTestEmulator } from "./emulator.js";

const testEmulator = useTestEmulator();

describe("lessons 01 → 02 → 03 on the local emulator", () => {
  it("reads back every one of 10,000 records exactly once", async () => {
    const stream = "flow";

    const made = await lesson01.main(localOptions(lesson01.lesson, testEmulator.current, stream, "--shards", "2"));
    expect(made).toMatchObject({ status: "ACTIVE", created: true, shardIds: [expect.any(String), expect.any(String)] });
    const again = await lesson01.main(localOptions(lesson01.lesson, testEmulator.current, stream));
    expect(again).toMatchObject({ created: false, streamArn: made.streamArn });

    const sent = await lesson02.main(localOptions(lesson02.lesson, testEmulator.current, stream, "--count", "10000"));
    expect(sent.sent).toBe(10_000);
    expect(Object.values(sent.perShard).reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(Object.keys(sent.perShard)).toHaveLength(2); // random keys spread over both shards

    const read = await lesson03.main(localOptions(lesson03.lesson, testEmulator.current, stream));
    expect(read).toMatchObject({ records: 10_000, unique: 10_000, duplicates: 0 });
    expect(read.perShard).toEqual(sent.perShard);

    // Nothing new since: reading from LATEST finds nothing and counts its empty reads.
    const latest = await lesson03.main(localOptions(lesson03.lesson, testEmulator.current, stream, "--from", "latest"));
    expect(latest).toMatchObject({ records: 0, emptyReads: 2 });
  });

  it("reads again from a sequence number: AT includes it, AFTER starts just past it", async () => {
    const stream = "seq";
    await lesson01.main(localOptions(lesson01.lesson, testEmulator.current, stream));
    await lesson02.main(localOptions(lesson02.lesson, testEmulator.current, stream, "--count", "5"));

    // Find the third record's sequence number the plain way.
    const kinesis = clientFor(KinesisClient, localOptions(lesson03.lesson, testEmulator.current, stream));
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: "seq",
        ShardId: "shardId-000000000000",
        ShardIteratorType: "TRIM_HORIZON",
      }),
    );
    const { Records = [] } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
    const third = Records[2]!.SequenceNumber!;

    const at = await lesson03.main(
      localOptions(lesson03.lesson, testEmulator.current, stream, "--from", `at-sequence:${third}`),
    );
    const after = await lesson03.main(
      localOptions(lesson03.lesson, testEmulator.current, stream, "--from", `after-sequence:${third}`),
    );
    expect(at).toMatchObject({ records: 3, unique: 3 });
    expect(after).toMatchObject({ records: 2, unique: 2 });
  });
});

describe("lessons run as a student runs them", () => {
  it("lesson 02 before lesson 01 prints one line saying to run lesson 01, exit code 1", async () => {
    const result = await runCli("02-produce-data/main.ts", localArgs(testEmulator.current, "never-made"));
    expect(result.code).toBe(1);
    const errorLines = result.stderr.trim().split("\n");
    expect(errorLines).toEqual([
      "✗ stream never-made not found on local: run lesson 01 first (npx tsx 01-make-a-stream/main.ts --stream never-made)",
    ]);
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace without --debug
  });

  it("--json prints the summary as the last line", async () => {
    await runCli("01-make-a-stream/main.ts", localArgs(testEmulator.current, "cli"));
    const put = await runCli("02-produce-data/main.ts", [
      ...localArgs(testEmulator.current, "cli"),
      "--count",
      "25",
      "--json",
    ]);
    expect(put.code).toBe(0);
    expect(lastJson(put)).toMatchObject({ sent: 25, retried: 0 });
    const read = await runCli("03-basic-consumer/main.ts", [...localArgs(testEmulator.current, "cli"), "--json"]);
    expect(lastJson(read)).toMatchObject({ records: 25, unique: 25 });
  });

  it("uses an emulator named with --endpoint but never starts one there", async () => {
    const port = await freePort();
    const result = await runCli("01-make-a-stream/main.ts", ["--endpoint", `http://127.0.0.1:${port}`]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `✗ cannot reach http://127.0.0.1:${port} on local: start that emulator, or leave out --endpoint to use the workshop's`,
    );
    expect(await findRunningEmulator(port)).toBeUndefined();
  });

  it("--delete removes the stream", async () => {
    const deleted = await runCli("01-make-a-stream/main.ts", [
      ...localArgs(testEmulator.current, "cli"),
      "--delete",
      "--json",
    ]);
    expect(lastJson(deleted)).toEqual({ deleted: "cli" });
    const after = await runCli("03-basic-consumer/main.ts", localArgs(testEmulator.current, "cli"));
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/stream cli not found on local: run lesson 01 first/);
  });
});
