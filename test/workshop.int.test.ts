// npm start as an instructor reruns it, against a fresh emulator of the test's own: it stops
// at the first lesson that fails, and it passes again and again. (Its first run, and cleanup
// after it, are test/laptop.int.test.ts's, from a folder whose path has a space.)
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { WORKSHOP_DIR } from "../shared/paths.js";
import { clientFor, tallyStream } from "../shared/index.js";
import { parseOptions } from "../shared/options.js";
import { cleanup } from "../scripts/cleanup.js";
import { lastJson, runCli } from "./cli.js";
import { useTestEmulator } from "./emulator.js";

const testEmulator = useTestEmulator();
// Its own stream name, so lesson 04's files under .workshop/kcl never meet a student's.
const stream = `start-${process.pid}`;
const args = () => ["--endpoint", testEmulator.current.endpoint, "--stream", stream];

describe("the workshop in one go", () => {
  it("stops at the first lesson that fails, with its one-line error, and a non-zero exit", async () => {
    // JAVA_HOME names no Java, so lesson 04 cannot start its daemon: 01-03 pass, 04 fails, 05 never runs.
    const run = await runCli("scripts/start.ts", [...args(), "--count", "10", "--json"], { JAVA_HOME: "/nonexistent" });
    expect(run.code).toBe(1);
    const table = lastJson(run);
    expect(table.lessons.map((l: { status: string }) => l.status)).toEqual(["ok", "ok", "ok", "failed", "not run"]);
    expect(run.stderr).toMatch(/^✗ 04-kcl-consumer: lesson 04 needs Java to run the KCL daemon and found none/m);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }, 120_000);

  it("passes again and again: in a second checkout sharing the emulator, then lesson 04 alone in the first", async () => {
    // Two checkouts of the workshop: each keeps its own files (lesson 04's reports among them) in its
    // own WORKSHOP_DIR, with the KCL jars installed. Both use the test's emulator, as a student's would.
    const rerun = `rerun-${process.pid}`;
    const checkouts = [mkdtempSync(join(tmpdir(), "checkout-a-")), mkdtempSync(join(tmpdir(), "checkout-b-"))];
    for (const dir of checkouts) symlinkSync(join(WORKSHOP_DIR, "kcl-jars"), join(dir, "kcl-jars"));
    const [a, b] = checkouts.map((dir) => ({ WORKSHOP_DIR: dir }));
    const where = ["--endpoint", testEmulator.current.endpoint, "--stream", rerun, "--count", "200", "--json"];
    try {
      for (const env of [a, b]) {
        const run = await runCli("scripts/start.ts", where, env, 200_000);
        expect(run.stderr).not.toMatch(/✗/);
        expect(lastJson(run).lessons.map((l: { status: string }) => l.status)).toEqual(["ok", "ok", "ok", "ok", "ok"]);
      }
      // Every record in the stream (lesson 02's and lesson 05's, twice over). The lease table
      // says the KCL has finished them all, whichever checkout's worker did it.
      const inStream = (await tallyStream(clientFor(KinesisClient, parseOptions(cleanup, args(), {})), rerun)).unique;
      expect(inStream).toBeGreaterThanOrEqual(2 * (200 + 100));
      const alone = await runCli(
        "04-kcl-consumer/main.ts",
        [...where.slice(0, 4), "--expect", String(inStream), "--timeout", "60", "--json"],
        a,
      );
      expect(alone.stderr).not.toMatch(/✗/);
      expect(lastJson(alone)).toMatchObject({ unique: inStream });
    } finally {
      for (const dir of checkouts) rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
