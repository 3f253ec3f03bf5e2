import { describe, expect, it, vi } from "vitest";
import { Progress } from "./output.js";
import { pollUntil } from "./wait.js";

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
