// npm run bench prints every figure it promises. Its numbers are not judged here (that is
// what the bench's own table is for); this only checks that the benchmark works and stops
// what it starts.
import { describe, expect, it } from "vitest";
import { healthOf } from "../local/emulator.js";
import { browserAvailable } from "../view/browser.js";
import { lastJson, runCli } from "./cli.js";

describe("npm run bench", () => {
  it("prints the table, and with --json one line with every figure", async () => {
    const run = await runCli("scripts/bench.ts", ["--records", "1000", "--samples", "50", "--json"], {}, 280_000);
    expect(run.stderr).not.toMatch(/✗/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Workshop benchmark on \d+ cores/);
    const figures = lastJson(run);
    for (const name of [
      "emulatorStartMs",
      "workshopSeconds",
      "batchVsSingle",
      "rawBatchVsSingle",
      "writeLimitShare",
      "shardScaling",
      "throttledEntries",
      "localKinesisRawRps",
      "localPutMs",
      "durableAppendUs",
      "reshardMs",
      "esmPollMs",
      "poisonDeliveries",
      "lambdaMedianMs",
      "lambdaP95Ms",
      "kclMedianMs",
      "kclP95Ms",
    ]) {
      expect(figures[name], name).toEqual(expect.any(Number));
    }
    // The live-view figures need Chromium: skipped with a note on a laptop without it, required in CI.
    if (browserAvailable)
      for (const name of ["viewLoadMs", "viewLagMs"]) expect(figures[name], name).toEqual(expect.any(Number));
    else expect(run.stderr).toMatch(/skipped: the live-view figures need Chromium/);
    expect(figures.emulatorStartMs).toBeGreaterThan(0);
    expect(figures.workshopSeconds).toBeGreaterThan(0);
    expect(figures.batchVsSingle).toBeGreaterThan(1); // batching must at least beat one-by-one
    expect(figures.throttledEntries).toBeGreaterThan(0);
    expect(figures.shardScaling).toBeGreaterThan(1);
    expect(figures.recordsLost).toBe(0);
    expect(figures.reshardMs).toBeGreaterThanOrEqual(1000); // the stream is UPDATING for a second
    expect(figures.durableAppendUs).toBeGreaterThan(figures.memoryAppendUs);
    expect(figures.esmPollMs).toBeGreaterThanOrEqual(900); // Lambda polls each shard about once a second
    expect(figures.poisonDeliveries).toBeGreaterThanOrEqual(3);
    expect(figures.lambdaP95Ms).toBeGreaterThanOrEqual(figures.lambdaMedianMs);
    expect(figures.kclP95Ms).toBeGreaterThanOrEqual(figures.kclMedianMs);
    // Its private emulator is gone: the port it named no longer answers.
    const port = Number(/private MiniStack on 127\.0\.0\.1:(\d+)/.exec(run.stderr)?.[1]);
    expect(port).toBeGreaterThan(0);
    expect(await healthOf(port)).toBeUndefined();
  }, 300_000);
});
