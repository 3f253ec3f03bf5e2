// What differs between Linux, macOS and Windows when the workshop starts programs:
// where a virtualenv keeps its Python, what Python is called, how a command line for
// the KCL is written, and how a program is stopped with everything it started.
// Each function takes the platform, so the tests can ask for all three on one machine.
import { spawnSync } from "node:child_process";
import { posix, win32 } from "node:path";

export type Platform = "linux" | "darwin" | "win32";

/** The running platform, as one of the three the workshop knows (others are treated as Linux). */
export const currentPlatform = (): Platform =>
  process.platform === "win32" || process.platform === "darwin" ? process.platform : "linux";

const pathsOf = (platform: Platform) => (platform === "win32" ? win32 : posix);

/** The Python inside a virtualenv: Scripts\python.exe on Windows, bin/python elsewhere. */
export function venvPython(venvDir: string, platform: Platform = currentPlatform()): string {
  const path = pathsOf(platform);
  return platform === "win32" ? path.join(venvDir, "Scripts", "python.exe") : path.join(venvDir, "bin", "python");
}

/** The Python to build the virtualenv with when WORKSHOP_PYTHON is not set. */
export const defaultPython = (platform: Platform = currentPlatform()) => (platform === "win32" ? "python" : "python3");

/**
 * A command line that runs a TypeScript file with Node and tsx, for a program that splits
 * its command on spaces (the KCL's executableName). It holds no absolute path: `node` is
 * found on the PATH, tsx and the script relative to the project folder, which must be the
 * working directory. So a space anywhere in the project's, Node's or Java's path cannot
 * break it, and no .cmd shim of node_modules/.bin is needed on Windows.
 */
export function nodeCommandLine(scriptParts: string[], platform: Platform = currentPlatform()): string {
  const script = pathsOf(platform).join(...scriptParts);
  if (/\s/.test(script)) throw new Error(`a script path inside the project must not contain spaces: ${script}`);
  return `node --import tsx ${script}`;
}

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
