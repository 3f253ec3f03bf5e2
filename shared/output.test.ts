import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { printedTo } from "../test/capture.js";
import { Progress, waitingFor } from "./output.js";

const stderrOf = (work: () => Promise<unknown>) => printedTo("stderr", work);

describe("waitingFor", () => {
  it("says nothing about work that is done within a second, and returns its result", async () => {
    let result: unknown;
    const said = await stderrOf(async () => (result = await waitingFor("x", Promise.resolve(42))));
    expect(said).toBe("");
    expect(result).toBe(42);
  });

  it("says what it waits for after a second, and how long it took", async () => {
    const said = await stderrOf(() => waitingFor("the stream to be ACTIVE", sleep(1200)));
    expect(said).toMatch(/^… waiting for the stream to be ACTIVE\n✓ the stream to be ACTIVE \(1\.\d s\)\n$/);
  });

  it("passes a failure through", async () => {
    await expect(waitingFor("x", Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  });

  it("says no ✓ for a wait that failed", async () => {
    const failed = sleep(1200).then(() => Promise.reject(new Error("boom")));
    const said = await stderrOf(() => waitingFor("the stream", failed).catch(() => {}));
    expect(said).toBe("… waiting for the stream\n");
  });
});

describe("Progress", () => {
  it("says ✓ at done() once it has said it waits, and nothing at done(false)", async () => {
    expect(await stderrOf(async () => new Progress("a").done())).toMatch(/^… a\n✓ a \(0\.\d s\)\n$/);
    expect(await stderrOf(async () => new Progress("b").done(false))).toBe("… b\n");
  });
});
