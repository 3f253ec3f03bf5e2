// Where the workshop is, and where it keeps what it installs and remembers.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The project folder: the lessons, shared/, scripts/, node_modules. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Everything the workshop installs or keeps for itself: .workshop (git-ignored), or WORKSHOP_DIR. */
export const WORKSHOP_DIR = process.env.WORKSHOP_DIR
  ? resolve(process.env.WORKSHOP_DIR)
  : join(PROJECT_ROOT, ".workshop");
