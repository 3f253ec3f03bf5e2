// Test helper: run a lesson the way a student does (npx tsx …) and capture what it prints.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { PROJECT_ROOT } from "../shared/emulator.js";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const TSX = join(PROJECT_ROOT, "node_modules", ".bin", "tsx");

export function runCli(script: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [join(PROJECT_ROOT, script), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, WORKSHOP_QUIET: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The last line of stdout parsed as JSON: a lesson's --json summary. */
export const lastJson = (result: CliResult) => JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "null");
