// npm run conformance against kinesis-mock (npm kinesis-local), LocalStack's own Kinesis engine:
// the checks hold on an emulator the workshop did not write, and the resharding ones all pass.
// (A file of its own, so it runs beside the local target's checks rather than after them.)
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../shared/paths.js";
import { lastJson, runCli } from "./cli.js";
import { freePort } from "./emulator.js";

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
