// Is the process in a pid file still the one the workshop started? A PID can be reused
// after a reboot, so the process's command line must also name the program.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { currentPlatform, type Platform } from "../shared/processes.js";

/** How to ask for a process's command line: ps, or PowerShell's CIM query on Windows. */
export function commandLineQuery(pid: number, platform: Platform = currentPlatform()) {
  if (platform === "win32") {
    const query = `(Get-CimInstance Win32_Process -Filter "ProcessId=${pid}").CommandLine`;
    return { command: "powershell", args: ["-NoProfile", "-Command", query] };
  }
  return { command: "ps", args: ["-p", String(pid), "-o", "command="] };
}

/** The command line of a running process; undefined when it is not running. */
export function commandLineOf(pid: number, platform: Platform = currentPlatform()): string | undefined {
  const { command, args } = commandLineQuery(pid, platform);
  const result = spawnSync(command, args, { encoding: "utf8" });
  return (result.status === 0 && result.stdout.trim()) || undefined;
}

/** The PID in `pidFile`, if that process is alive and its command line holds `mark`. */
export function livePid(pidFile: string, mark: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return commandLineOf(pid)?.includes(mark) ? pid : undefined;
}
