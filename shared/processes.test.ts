import { describe, expect, it } from "vitest";
import { type Platform, windowsStop } from "./processes.js";

describe.each<Platform>(["linux", "darwin", "win32"])("on %s", (platform) => {
  it("stops a program with what it started: a signal, or taskkill /T where there are no process groups", () => {
    expect(windowsStop(4242, platform)).toEqual(
      platform === "win32" ? { command: "taskkill", args: ["/PID", "4242", "/T", "/F"] } : undefined,
    );
  });
});
