// Test helper: run a lesson the way a student does (npx tsx …) and capture what it prints.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { PROJECT_ROOT } from "../shared/paths.js";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const TSX = join(PROJECT_ROOT, "node_modules", ".bin", "tsx");

/** End a lesson run with everything it started (tsx's node, a KCL daemon): its whole process group. */
function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Lessons started by runCli that have not exited yet. */
const running = new Set<ChildProcess>();

/** End every lesson run this test file started that is still going (a failed test can leave one). */
export async function stopCliRuns(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once("close", () => resolve());
          killGroup(child);
        }),
    ),
  );
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  cwd?: string;
}

/** Start a process in its own process group, remember it, and collect what it prints. */
function runProcess(
  file: string,
  args: string[],
  { env = {}, timeoutMs = 120_000, cwd = PROJECT_ROOT }: RunOptions,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd,
      env: { ...process.env, WORKSHOP_QUIET: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, so killGroup() reaches its children too
    });
    running.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => killGroup(child), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      running.delete(child);
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Run a lesson or script the way a student does (npx tsx FILE ARGS), from the project folder. */
export function runCli(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 120_000,
): Promise<CliResult> {
  return runProcess(TSX, [join(PROJECT_ROOT, script), ...args], { env, timeoutMs });
}

/** Run one shell command line with bash, as a student types it in a terminal. */
export function runShell(commandLine: string, options: RunOptions = {}): Promise<CliResult> {
  return runProcess("bash", ["-c", commandLine], options);
}

/** The last line of stdout parsed as JSON: a lesson's --json summary. */
export const lastJson = (result: CliResult) => JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "null");
