// Programs the workshop starts and stops: MiniStack and the local endpoint (local/), the KCL's
// Java daemon (lesson 04). Not in shared/index.ts, so a lesson that starts no program never loads it.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export type Platform = "linux" | "darwin" | "win32";

/** The running platform, as one of the three the workshop knows (others are treated as Linux). */
export const currentPlatform = (): Platform =>
  process.platform === "win32" || process.platform === "darwin" ? process.platform : "linux";

/**
 * Start a program with its stdout and stderr in `logFile` (emptied first, unless `append`); `detached`: it
 * outlives this process. `output()` is what it has written to the log since it started.
 */
export function startProgram(
  command: string,
  args: string[],
  options: { logFile: string; cwd: string; env?: NodeJS.ProcessEnv; detached?: boolean; append?: boolean },
) {
  const { logFile, cwd, env = process.env, detached = false, append = false } = options;
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

/**
 * Stop a program and resolve once it is gone. On Linux and macOS SIGTERM lets MiniStack save its state
 * and the KCL daemon stop its workers, and each stops its own children; SIGKILL (to the program alone)
 * follows after `graceMs`. Windows has no such signals: taskkill /T /F ends the whole tree at once.
 */
export async function stopGentlyThenHard(pid: number, graceMs: number, platform = currentPlatform()): Promise<void> {
  const stop = (signal: NodeJS.Signals) => {
    try {
      if (platform === "win32") spawnSync("taskkill", ["/PID", String(pid), "/T", "/F"], { stdio: "ignore" });
      else process.kill(pid, signal);
    } catch {
      // already gone
    }
  };
  stop("SIGTERM");
  for (let waited = 0; ; waited += 50) {
    try {
      process.kill(pid, 0);
    } catch {
      return; // gone
    }
    if (waited >= graceMs) {
      stop("SIGKILL");
      graceMs = Number.POSITIVE_INFINITY; // once; then wait for it to go
    }
    await sleep(50);
  }
}

/** The last three lines of a log, joined with " | " for a one-line error: lastLinesOf(text), lastLines(file). */
export const lastLinesOf = (text: string) => text.trim().split("\n").slice(-3).join(" | ");
export const lastLines = (file: string) => (existsSync(file) ? lastLinesOf(readFileSync(file, "utf8")) : "");
