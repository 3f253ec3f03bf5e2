// npm run conformance on a private local emulator: it passes with only listed differences,
// and it can fail: with the limits layer off, the write-limit check does.
import { describe, expect, it } from "vitest";
import { restartLayer } from "../local/emulator.js";
import { lastJson, runCli } from "./cli.js";
import { localArgs, useTestEmulator } from "./emulator.js";

const testEmulator = useTestEmulator();
const args = (...more: string[]) => localArgs(testEmulator.current, "conformance", ...more);

describe("npm run conformance on the local target", () => {
  it("runs at least 25 checks, all as AWS documents or as listed, and prints one row each", async () => {
    const run = await runCli("scripts/conformance.ts", args("--json"), {}, 300_000);
    expect(run.stderr).not.toMatch(/✗/);
    const result = lastJson(run) as { failed: boolean; rows: { id: string; outcome: string }[] };
    const ran = result.rows.filter((r) => r.outcome !== "skipped");
    expect(ran.length).toBeGreaterThanOrEqual(25);
    expect(ran.filter((r) => r.outcome === "✗")).toEqual([]);
    expect(result.failed).toBe(false);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^✓ {2}writes\.record-rate/m);
    expect(run.stdout).toMatch(/^≠ {2}streams\.creating-status .*\n .*known: the local target makes a stream ACTIVE/m);
    // The workshop's own Kinesis does what AWS documents where MiniStack's did not: resharding above all.
    const asAws = ["streams.name-only-is-on-demand", "streams.create-tags", "writes.request-size"];
    asAws.push(
      "writes.update-max-record-size",
      ...result.rows.filter((r) => r.id.startsWith("reshard.")).map((r) => r.id),
    );
    expect(asAws.length).toBeGreaterThanOrEqual(12);
    for (const id of asAws) expect(result.rows.find((r) => r.id === id)?.outcome, id).toBe("✓");
  }, 320_000);

  it("fails, naming the check, when the shard limits are off", async () => {
    await restartLayer(testEmulator.current.paths, false);
    try {
      const run = await runCli("scripts/conformance.ts", args("--only", "writes.record-rate", "--json"));
      expect(run.code).toBe(1);
      expect(lastJson(run).rows.find((r: { id: string }) => r.id === "writes.record-rate")).toMatchObject({
        outcome: "✗",
        observed: "0 of 2,000 refused with ProvisionedThroughputExceededException",
      });
    } finally {
      await restartLayer(testEmulator.current.paths, true);
    }
  }, 120_000);
});
