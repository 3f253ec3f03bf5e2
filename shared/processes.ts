// Programs the workshop starts and stops: MiniStack and the local endpoint (local/), the
// KCL's Java daemon (lesson 04). What differs between Linux, macOS and Windows is here:
// how a program is stopped with everything it started, and how to read its command line.
// Each function takes the platform, so the tests can ask for all three on one machine.
// (Not loaded by shared/index.ts: a lesson that starts no program never loads it.)
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

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

/** A program started by startProgram(). */
export interface Program {
  pid: number;
  hasExited(): boolean;
  /** The lines it has written to its log since it started. */
  output(): string;
}

/**
 * Start a program with its output (stdout and stderr) written to `logFile`: appended, or
 * the file started afresh. `detached`: it keeps running after this process exits.
 */
export function startProgram(
  command: string,
  args: string[],
  {
    logFile,
    cwd,
    env = process.env,
    detached = false,
    append = false,
  }: {
    logFile: string;
    cwd: string;
    env?: NodeJS.ProcessEnv;
    detached?: boolean;
    append?: boolean;
  },
): Program {
  mkdirSync(dirname(logFile), { recursive: true });
  const log = openSync(logFile, append ? "a" : "w");
  const from = statSync(logFile).size; // this run's lines start here
  const child = spawn(command, args, { cwd, env, detached, stdio: ["ignore", log, log] });
  closeSync(log);
  if (detached) child.unref();
  let exited = false;
  child.once("exit", () => (exited = true));
  return {
    pid: child.pid!,
    hasExited: () => exited,
    output: () => readFileSync(logFile).subarray(from).toString("utf8"),
  };
}

/** Stop a program gently (SIGTERM: it saves its state, ends its leases), and hard after `graceMs`. Resolves once it is gone. */
export async function stopGentlyThenHard(pid: number, graceMs: number): Promise<void> {
  stopProcessTree(pid, "SIGTERM");
  for (let waited = 0; ; waited += 50) {
    try {
      process.kill(pid, 0);
    } catch {
      return; // gone
    }
    if (waited >= graceMs) {
      stopProcessTree(pid, "SIGKILL");
      graceMs = Number.POSITIVE_INFINITY; // once; then wait for it to go
    }
    await sleep(50);
  }
}

/** The last lines of a log file (or text), joined with " | ", for a one-line error message. */
export function lastLines(file: string, count = 3): string {
  return existsSync(file) ? lastLinesOf(readFileSync(file, "utf8"), count) : "";
}
export const lastLinesOf = (text: string, count = 3) => text.trim().split("\n").slice(-count).join(" | ");
