// An emulator killed under a producer: lesson 02 says in one line how many records were
// stored before it died, that the rest were not, and what to run next. And what it stored
// is still there once it is started again: it answered only for records already on disk.
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { describe, expect, it } from "vitest";
import { clientFor } from "../shared/clients.js";
import { readShard, tallyStream } from "../shared/records.js";
import { pollUntil } from "../shared/wait.js";
import { layerPid, startEmulator } from "../local/emulator.js";
import { runCli } from "./cli.js";
import * as lesson03 from "../03-basic-consumer/main.js";
import { localArgs, localOptions, useTestEmulator } from "./emulator.js";

const testEmulator = useTestEmulator();

describe("the local target killed while lesson 02 puts records", () => {
  it("says how many were stored, that the rest were not, and the command to run next; the stored ones survive", async () => {
    const made = await runCli("01-make-a-stream/main.ts", localArgs(testEmulator.current, "dies", "--shards", "1"));
    expect(made.code).toBe(0);
    // 20,000 records into one shard take about 20 s at 1,000 a second: the endpoint, where the
    // local target's Kinesis lives, is killed a second after the first of them is stored (not
    // at a fixed time: on a busy machine the lesson takes longer to start).
    const producing = runCli("02-produce-data/main.ts", localArgs(testEmulator.current, "dies", "--count", "20000"));
    const kinesis = clientFor(KinesisClient, localOptions(lesson03.lesson, testEmulator.current, "dies"));
    const firstStored = async () => {
      let found: true | undefined;
      await readShard(kinesis, "dies", "shardId-000000000000", () => {
        found = true;
        return false; // one is enough
      });
      return found;
    };
    await pollUntil("lesson 02's first stored record", firstStored, { timeoutMs: 30_000, intervalMs: 100 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    process.kill(layerPid(testEmulator.current.paths)!, "SIGKILL");
    const run = await producing;

    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    const said =
      /stopped answering: (\d+) of 20000 records were stored before it did, the other (\d+) were not\. Run npm run emulator:start, then this lesson again \(--count (\d+) puts as many as were lost\)$/.exec(
        lines[0]!,
      );
    expect(said, lines[0]).not.toBeNull();
    const [stored, lost, again] = said!.slice(1).map(Number);
    expect(stored).toBeGreaterThan(0);
    expect(stored! + lost!).toBe(20_000);
    expect(again).toBe(lost);

    // Started again: every record it acknowledged is there (and at most the one batch in flight when it died).
    await startEmulator(testEmulator.current.paths);
    const kept = await tallyStream(kinesis, "dies");
    expect(kept.duplicates).toBe(0);
    expect(kept.unique).toBeGreaterThanOrEqual(stored!);
    expect(kept.unique).toBeLessThanOrEqual(stored! + 500);
  }, 90_000);
});
