// Where the workshop is, where it keeps what it installs and remembers, and which file is running.
import { realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The project folder: the lessons, shared/, scripts/, node_modules. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Everything the workshop installs or keeps for itself: .workshop (git-ignored), or WORKSHOP_DIR. */
export const WORKSHOP_DIR = process.env.WORKSHOP_DIR
  ? resolve(process.env.WORKSHOP_DIR)
  : join(PROJECT_ROOT, ".workshop");

/** True when the module at `moduleUrl` is the script node (or tsx) was asked to run, not one it imported. */
export function isMainModule(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}
