// Programs the workshop starts and stops: MiniStack and the local endpoint (local/), the
// KCL's Java daemon (lesson 04). What differs between Linux, macOS and Windows is here:
// how a program is stopped with everything it started, and how to read its command line.
// Each function takes the platform, so the tests can ask for all three on one machine.
// (Not loaded by shared/index.ts: a lesson that starts no program never loads it.)
import { spawnSync } from "node:child_process";

export type Platform = "linux" | "darwin" | "win32";

/** The running platform, as one of the three the workshop knows (others are treated as Linux). */
export const currentPlatform = (): Platform =>
  process.platform === "win32" || process.platform === "darwin" ? process.platform : "linux";

/** How to stop a program together with the programs it started. */
export type StopPlan =
  | { kind: "signal"; pid: number; signal: NodeJS.Signals }
  | { kind: "command"; command: string; args: string[] };

/**
 * On Linux and macOS a signal to the process: SIGTERM lets MiniStack save its state and
 * the KCL daemon end its leases, and each stops its own children. Windows has no such
 * signals and no process groups: taskkill /T ends the whole tree (/F: at once).
 */
export function stopPlan(
  pid: number,
  platform: Platform = currentPlatform(),
  signal: NodeJS.Signals = "SIGTERM",
): StopPlan {
  if (platform === "win32") return { kind: "command", command: "taskkill", args: ["/PID", String(pid), "/T", "/F"] };
  return { kind: "signal", pid, signal };
}

/** Stop a program and what it started (see stopPlan). Does nothing if it is already gone. */
export function stopProcessTree(
  pid: number,
  signal: NodeJS.Signals = "SIGTERM",
  platform: Platform = currentPlatform(),
): void {
  const plan = stopPlan(pid, platform, signal);
  try {
    if (plan.kind === "signal") process.kill(plan.pid, plan.signal);
    else spawnSync(plan.command, plan.args, { stdio: "ignore" });
  } catch {
    // already gone
  }
}

/** How to ask for a process's command line: ps, or PowerShell's CIM query on Windows. */
export function commandLineQuery(
  pid: number,
  platform: Platform = currentPlatform(),
): { command: string; args: string[] } {
  if (platform === "win32") {
    return {
      command: "powershell",
      args: ["-NoProfile", "-Command", `(Get-CimInstance Win32_Process -Filter "ProcessId=${pid}").CommandLine`],
    };
  }
  return { command: "ps", args: ["-p", String(pid), "-o", "command="] };
}

/** The command line of a running process; undefined when it is not running. */
export function commandLineOf(pid: number, platform: Platform = currentPlatform()): string | undefined {
  const { command, args } = commandLineQuery(pid, platform);
  const result = spawnSync(command, args, { encoding: "utf8" });
  const line = result.status === 0 ? result.stdout.trim() : "";
  return line || undefined;
}
