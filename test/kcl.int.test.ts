// Lesson 04 with the real Java MultiLangDaemon against a MiniStack of the test's own.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "vitest";
import * as lesson01 from "../01-make-a-stream/main.js";
import * as lesson02 from "../02-produce-data/main.js";
import * as lesson03 from "../03-basic-consumer/main.js";
import * as lesson04 from "../04-kcl-consumer/main.js";
import { WORKSHOP_DIR } from "../shared/paths.js";
import type { ShardStats } from "../local/stats.js";
import { lastJson, runCli } from "./cli.js";
import { localArgs, localOptions, useTestEmulator } from "./emulator.js";

const testEmulator = useTestEmulator();

/** GetRecords calls the limits layer refused on a stream's shards so far. */
async function readsRefused(stream: string): Promise<number> {
  const stats = (await (await fetch(`${testEmulator.current.endpoint}/_workshop/stats`)).json()) as {
    shards: ShardStats[];
  };
  return stats.shards.filter((s) => s.stream === stream).reduce((n, s) => n + s.readsThrottled, 0);
}

// The two run at once, each on a stream (and so a KCL application) of its own.
describe("lesson 04 on the local emulator", () => {
  it.concurrent("processes all 1,000 records and leaves a checkpoint in the lease table", async ({ expect }) => {
    await lesson01.main(localOptions(lesson01.lesson, testEmulator.current, "kcl-a"));
    await lesson02.main(localOptions(lesson02.lesson, testEmulator.current, "kcl-a", "--count", "1000"));

    const summary = await lesson04.main(
      localOptions(lesson04.lesson, testEmulator.current, "kcl-a", "--expect", "1000"),
    );
    // KCL 3.x: the worker that ran led, in CLIENT_VERSION_3X, beside the lease table.
    expect(summary).toMatchObject({ unique: 1000, leases: 1, leader: "worker-1", clientVersion: "CLIENT_VERSION_3X" });
    // The KCL's Java SDK read them through the limits layer (over HTTP/2), as every client of the local target does.
    const stats = (await (await fetch(`${testEmulator.current.endpoint}/_workshop/stats`)).json()) as {
      shards: ShardStats[];
    };
    const shard = stats.shards.find((s) => s.stream === "kcl-a");
    expect(shard?.recordsOut).toBeGreaterThanOrEqual(1000);

    const leases = await runCli("04-kcl-consumer/main.ts", [
      ...localArgs(testEmulator.current, "kcl-a"),
      "--show-leases",
      "--json",
    ]);
    // Stopped, the lesson gave the leader's lock back (the daemon's own graceful shutdown would have).
    expect(lastJson(leases)).toEqual({
      leases: 1,
      table: "workshop-kcl-local-kcl-a",
      leader: "(none)",
      clientVersion: "CLIENT_VERSION_3X",
    });
    expect(leases.stdout).toMatch(/shardId-000000000000\s+\S+\s+\d{10,}/); // owner and a sequence-number checkpoint
    expect(leases.stdout).toMatch(/worker-1\s+\d+ s ago\s+not measured here/); // its report in WorkerMetricStats
  }, 240_000);

  it.concurrent("loses no record when the worker is killed (SIGKILL) mid-stream and restarted", async ({ expect }) => {
    const stream = "kcl-b";
    await lesson01.main(localOptions(lesson01.lesson, testEmulator.current, stream));
    await lesson02.main(localOptions(lesson02.lesson, testEmulator.current, stream, "--count", "500"));

    // First worker: wait until it has processed the first 500, then kill the Java daemon hard.
    // (A run of this test before, on the same machine, left its own file: start from none.)
    const processed = join(WORKSHOP_DIR, "kcl", `workshop-kcl-local-${stream}.processed.jsonl`);
    rmSync(processed, { force: true });
    const first = runCli("04-kcl-consumer/main.ts", [
      ...localArgs(testEmulator.current, stream),
      "--expect",
      "100000",
      "--timeout",
      "200",
    ]);
    const count = () => {
      try {
        return readFileSync(processed, "utf8").trim().split("\n").filter(Boolean).length;
      } catch {
        return 0;
      }
    };
    const deadline = Date.now() + 150_000;
    while (count() < 500 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(count()).toBeGreaterThanOrEqual(500);
    // While the worker polls the shard (4 reads a second), lesson 03 reads it too: the two
    // share the shard's 5 reads a second, so the shard refuses some of their calls (the
    // limits layer counts them), and lesson 03 still reads every record.
    const refusedBefore = await readsRefused(stream);
    const shared = await lesson03.main(localOptions(lesson03.lesson, testEmulator.current, stream, "--limit", "10"));
    expect(shared.unique).toBe(500);
    expect(await readsRefused(stream)).toBeGreaterThan(refusedBefore);
    const pids = spawnSync("pgrep", ["-f", `workshop-kcl-local-${stream}.properties`], { encoding: "utf8" })
      .stdout.trim()
      .split("\n")
      .map(Number)
      .filter(Boolean);
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) process.kill(pid, "SIGKILL");
    const killed = await first;
    expect(killed.code).toBe(1);
    expect(killed.stderr).toMatch(/the KCL daemon exited before/);

    // More records while no worker runs, then a new worker: everything arrives, repeats are counted.
    await lesson02.main(localOptions(lesson02.lesson, testEmulator.current, stream, "--count", "500"));
    const summary = await lesson04.main(
      localOptions(lesson04.lesson, testEmulator.current, stream, "--expect", "1000", "--timeout", "200"),
    );
    expect(summary.unique).toBe(1000);
    expect(summary.records).toBe((summary.unique ?? 0) + (summary.duplicates ?? 0));
  }, 420_000);
});
