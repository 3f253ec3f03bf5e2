import { describe, expect, it } from "vitest";
import { commandLineQuery, defaultPython, nodeCommandLine, stopPlan, venvPython, type Platform } from "./platform.js";

const PLATFORMS: Platform[] = ["linux", "darwin", "win32"];

describe.each(PLATFORMS)("on %s", (platform) => {
  const windows = platform === "win32";

  it("the KCL's processor command line holds no absolute path, so no space in any path can split it", () => {
    const line = nodeCommandLine(["04-kcl-consumer", "record-processor.ts"], platform);
    expect(line).toBe(
      windows
        ? "node --import tsx 04-kcl-consumer\\record-processor.ts"
        : "node --import tsx 04-kcl-consumer/record-processor.ts",
    );
    expect(line.split(" ")).toHaveLength(4); // what the daemon's split gives: node, --import, tsx, the script
    expect(() => nodeCommandLine(["my lessons", "x.ts"], platform)).toThrow(/must not contain spaces/);
  });

  it("finds the virtualenv's Python where that platform keeps it, and names the system Python", () => {
    if (windows) {
      expect(venvPython("C:\\Users\\Jane Doe\\ws\\.workshop\\venv", platform)).toBe(
        "C:\\Users\\Jane Doe\\ws\\.workshop\\venv\\Scripts\\python.exe",
      );
      expect(defaultPython(platform)).toBe("python");
    } else {
      expect(venvPython("/Users/jane/AWS Workshop/.workshop/venv", platform)).toBe(
        "/Users/jane/AWS Workshop/.workshop/venv/bin/python",
      );
      expect(defaultPython(platform)).toBe("python3");
    }
  });

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
