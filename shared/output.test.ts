import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, vi } from "vitest";
import { printedTo } from "../test/capture.js";
import { Progress, waitingFor } from "./output.js";
import { pollUntil } from "./wait.js";

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

describe("pollUntil", () => {
  it("ends its Progress as failed when it gives up, and as done once it finds", async () => {
    const done = vi.spyOn(Progress.prototype, "done");
    try {
      const never = pollUntil("x", async () => undefined, { timeoutMs: 50, intervalMs: 10 });
      await expect(never).rejects.toThrow("gave up after 0 s waiting for x");
      expect(done).toHaveBeenLastCalledWith(false);
      expect(await pollUntil("y", async () => "found")).toBe("found");
      expect(done).toHaveBeenLastCalledWith(true);
    } finally {
      done.mockRestore();
    }
  });
});
