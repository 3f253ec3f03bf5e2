import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Platform } from "./processes.js";

vi.mock("node:child_process", () => ({ spawn: vi.fn(), spawnSync: vi.fn() }));
// The unit tests share one module cache per worker: load processes.ts afresh, so it sees the mock.
vi.resetModules();
const { stopGentlyThenHard } = await import("./processes.js");
afterEach(() => vi.restoreAllMocks());

describe.each<Platform>(["linux", "darwin", "win32"])("on %s", (platform) => {
  it("stops a program with what it started: a signal, or taskkill /T where there are no process groups", async () => {
    vi.mocked(spawnSync).mockClear();
    const kill = vi.spyOn(process, "kill").mockImplementation((_pid, signal) => {
      if (signal === 0) throw new Error("ESRCH"); // gone once asked to stop
      return true;
    });
    await stopGentlyThenHard(4242, 1000, platform);
    if (platform === "win32") {
      expect(spawnSync).toHaveBeenCalledWith("taskkill", ["/PID", "4242", "/T", "/F"], { stdio: "ignore" });
      expect(kill).not.toHaveBeenCalledWith(4242, "SIGTERM");
    } else {
      expect(kill).toHaveBeenCalledWith(4242, "SIGTERM");
      expect(spawnSync).not.toHaveBeenCalled();
    }
  });
});
