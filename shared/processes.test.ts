import { describe, expect, it } from "vitest";
import { commandLineQuery, type Platform, stopPlan } from "./processes.js";

const PLATFORMS: Platform[] = ["linux", "darwin", "win32"];

describe.each(PLATFORMS)("on %s", (platform) => {
  const windows = platform === "win32";

  it("stops a program with what it started: a signal, or taskkill /T where there are no process groups", () => {
    expect(stopPlan(4242, platform)).toEqual(
      windows
        ? { kind: "command", command: "taskkill", args: ["/PID", "4242", "/T", "/F"] }
        : { kind: "signal", pid: 4242, signal: "SIGTERM" },
    );
    expect(stopPlan(4242, platform, "SIGKILL")).toMatchObject(
      windows ? { command: "taskkill" } : { signal: "SIGKILL" },
    );
  });

  it("asks the system for a process's command line", () => {
    const query = commandLineQuery(7, platform);
    if (windows) expect(query.args.join(" ")).toContain('Win32_Process -Filter "ProcessId=7"');
    else expect(query).toEqual({ command: "ps", args: ["-p", "7", "-o", "command="] });
  });
});
