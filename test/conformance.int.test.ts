// npm run conformance on a private local emulator: it passes with only listed differences,
// and it can fail: with the limits layer off, the write-limit check does.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { restartLayer } from "../local/emulator.js";
import { PROJECT_ROOT } from "../shared/paths.js";
import { lastJson, runCli } from "./cli.js";
import { freePort, localArgs, useTestEmulator } from "./emulator.js";

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

describe("npm run conformance against kinesis-mock (npm kinesis-local, LocalStack's Kinesis engine)", () => {
  it("passes the Kinesis groups with only the differences listed for localstack, and every resharding check", async () => {
    const [plain, tls] = [await freePort(), await freePort()];
    const mock = spawn(process.execPath, ["main.js"], {
      cwd: join(PROJECT_ROOT, "node_modules", "kinesis-local"), // it reads server.json from there
      env: { ...process.env, KINESIS_MOCK_PLAIN_PORT: String(plain), KINESIS_MOCK_TLS_PORT: String(tls) },
      stdio: "ignore",
    });
    try {
      const endpoint = `http://127.0.0.1:${plain}`;
      for (
        let i = 0;
        i < 60 &&
        !(await fetch(endpoint).then(
          () => true,
          () => false,
        ));
        i++
      )
        await new Promise((r) => setTimeout(r, 500));
      const run = await runCli(
        "scripts/conformance.ts",
        ["--target", "localstack", "--endpoint", endpoint, "--only", "streams,writes,reads,reshard", "--json"],
        { AWS_ACCESS_KEY_ID: "", AWS_ENDPOINT_URL: "" },
        200_000,
      );
      const result = lastJson(run) as { failed: boolean; rows: { id: string; group: string; outcome: string }[] };
      expect(result.rows.filter((r) => r.outcome === "✗")).toEqual([]);
      expect(result.rows.filter((r) => r.outcome === "✓").length).toBeGreaterThanOrEqual(23);
      // kinesis-mock reshards as AWS documents: none of the group may be a known difference there.
      const reshard = result.rows.filter((r) => r.group === "reshard");
      expect(reshard.length).toBeGreaterThanOrEqual(8);
      expect(reshard.filter((r) => r.outcome !== "✓")).toEqual([]);
      expect(result.rows.find((r) => r.id === "writes.record-rate")?.outcome).toBe("known"); // no shard limits there
      expect(run.code).toBe(0);
    } finally {
      mock.kill("SIGTERM"); // ours, by its handle
    }
  }, 240_000);
});
