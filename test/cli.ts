// Test helper: run a lesson the way a student does (npx tsx …) and capture what it prints.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { PROJECT_ROOT } from "../shared/emulator.js";

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
    [...running].map((child) => new Promise<void>((resolve) => {
      child.once("close", () => resolve());
      killGroup(child);
    })),
  );
}

export function runCli(script: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [join(PROJECT_ROOT, script), ...args], {
      cwd: PROJECT_ROOT,
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

/** The last line of stdout parsed as JSON: a lesson's --json summary. */
export const lastJson = (result: CliResult) => JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "null");
