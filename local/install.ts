// MiniStack, installed once into .workshop/venv with the Python the student has (3.10 or
// newer): the first lesson run on the local target does it, about 20 s, then never again.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, posix, relative, win32 } from "node:path";
import { WorkshopError } from "../shared/errors.js";
import { Progress } from "../shared/output.js";
import { WORKSHOP_DIR } from "../shared/paths.js";
import { currentPlatform, type Platform } from "../shared/processes.js";

/** The exact MiniStack release the workshop is written and tested against. */
export const MINISTACK_VERSION = "1.5.33";

/** The Python inside a virtualenv: Scripts\python.exe on Windows, bin/python elsewhere. */
export function venvPython(venvDir: string, platform: Platform = currentPlatform()): string {
  const path = platform === "win32" ? win32 : posix;
  return platform === "win32" ? path.join(venvDir, "Scripts", "python.exe") : path.join(venvDir, "bin", "python");
}

/** The Python to build the virtualenv with when WORKSHOP_PYTHON is not set. */
export const defaultPython = (platform: Platform = currentPlatform()) => (platform === "win32" ? "python" : "python3");

const VENV_DIR = join(WORKSHOP_DIR, "venv");
/** Where MiniStack goes, as a student would type it: .workshop/venv, or WORKSHOP_DIR's. */
export const VENV_SHOWN = relative(process.cwd(), VENV_DIR) || VENV_DIR;
const VENV_PYTHON = venvPython(VENV_DIR);

/** The Python the virtualenv is built with (WORKSHOP_PYTHON, else python3), and its version if it runs. */
export function probePython(): { command: string; version?: string; supported: boolean } {
  const command = process.env.WORKSHOP_PYTHON || defaultPython();
  const probe = spawnSync(command, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) return { command, supported: false };
  const version = probe.stdout.trim();
  const [major = 0, minor = 0] = version.split(".").map(Number);
  return { command, version, supported: major > 3 || (major === 3 && minor >= 10) };
}

/** What to do when there is no Python 3.10+: said by the emulator and by npm run doctor. */
export function pythonFix(platform: Platform = currentPlatform()): string {
  const install = {
    // Apple's Command Line Tools bring a python3 that is 3.9: too old.
    darwin:
      "install Python 3.10 or newer with Homebrew (brew install python@3.12) or from python.org (macOS's own python3 is 3.9)",
    win32: "install Python 3.10 or newer from python.org or with winget install Python.Python.3.12",
    linux: "install Python 3.10 or newer (for example apt-get install python3 python3-venv)",
  }[platform];
  return `${install}, or point WORKSHOP_PYTHON at one; or use another emulator with --target localstack, or AWS with --target aws`;
}

function findPython(): string {
  const python = probePython();
  if (!python.supported) {
    const found = python.version ? `found ${python.version}` : "none found";
    throw new WorkshopError(
      `the local emulator needs Python 3.10 or newer (${found} as '${python.command}'): ${pythonFix()}`,
    );
  }
  return python.command;
}

/** The MiniStack version installed in .workshop/venv, if any. */
export function installedVersion(): string | undefined {
  if (!existsSync(VENV_PYTHON)) return undefined;
  const probe = spawnSync(VENV_PYTHON, ["-c", "from importlib.metadata import version; print(version('ministack'))"], {
    encoding: "utf8",
  });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

function run(command: string, args: string[], what: string): void {
  const result = spawnSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (result.status !== 0) {
    const detail = (result.stderr || result.stdout || String(result.error ?? ""))
      .trim()
      .split("\n")
      .slice(-3)
      .join(" | ");
    throw new WorkshopError(`${what} failed: ${detail || "no output"} — check your network, then run the lesson again`);
  }
}

/** Install MiniStack into .workshop/venv unless the pinned version is already there. */
export function installEmulator(): string {
  if (installedVersion() === MINISTACK_VERSION) return VENV_PYTHON;
  const python = findPython();
  const installing = new Progress(`Installing MiniStack ${MINISTACK_VERSION} into ${VENV_SHOWN} (first run only)`);
  if (!existsSync(VENV_PYTHON)) run(python, ["-m", "venv", VENV_DIR], "creating the virtualenv");
  run(
    VENV_PYTHON,
    ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", `ministack==${MINISTACK_VERSION}`],
    `pip install ministack==${MINISTACK_VERSION}`,
  );
  installing.done();
  return VENV_PYTHON;
}
