// Every laptop in the class: a student clones the workshop into a folder whose path has
// a space in it ("~/Documents/AWS Workshop", "C:\Users\Jane Doe\…"). Here a copy of the
// project, with its installed node_modules and .workshop, runs npm start (lessons 01 → 05)
// from such a folder, on an emulator of its own.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stopEmulator } from "../local/emulator.js";
import { PROJECT_ROOT, WORKSHOP_DIR } from "../shared/paths.js";
import { freePort } from "./emulator.js";
import { lastJson, runShell } from "./cli.js";

const parent = mkdtempSync(join(tmpdir(), "with space-"));
const copy = join(parent, "AWS Workshop");
let port = 0;

afterAll(async () => {
  if (port) {
    const dir = join(copy, ".workshop");
    await stopEmulator({
      port,
      stateDir: join(dir, "emulator-state"),
      pidFile: join(dir, `emulator-${port}.pid`),
      logFile: join(dir, `emulator-${port}.log`),
    });
  }
  rmSync(parent, { recursive: true, force: true });
});

describe("a clone in a folder whose path has a space", () => {
  it("runs npm start, lessons 01 → 05, and all five pass", async () => {
    // The project as git knows it, plus what npm and the workshop installed.
    const tracked = spawnSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
    })
      .stdout.trim()
      .split("\n");
    for (const file of tracked) cpSync(join(PROJECT_ROOT, file), join(copy, file), { recursive: true });
    cpSync(join(PROJECT_ROOT, "node_modules"), join(copy, "node_modules"), { recursive: true, verbatimSymlinks: true });
    mkdirSync(join(copy, ".workshop"));
    for (const installed of readdirSync(WORKSHOP_DIR).filter((e) => e === "venv" || e === "kcl-jars")) {
      cpSync(join(WORKSHOP_DIR, installed), join(copy, ".workshop", installed), {
        recursive: true,
        verbatimSymlinks: true,
      });
    }
    expect(copy).toContain(" ");

    port = await freePort();
    const run = await runShell("npm start -- --json", {
      cwd: copy,
      env: { WORKSHOP_LOCAL_PORT: String(port), WORKSHOP_DIR: "", NPM_CONFIG_UPDATE_NOTIFIER: "false" },
      timeoutMs: 280_000,
    });
    const table = lastJson(run);
    expect(run.stderr, run.stdout).not.toMatch(/✗/);
    expect(table.ok).toBe(true);
    expect(table.lessons.map((l: { lesson: string; status: string }) => [l.lesson, l.status])).toEqual([
      ["01-make-a-stream", "ok"],
      ["02-produce-data", "ok"],
      ["03-basic-consumer", "ok"],
      ["04-kcl-consumer", "ok"],
      ["05-lambda-function", "ok"],
    ]);
    expect(run.code).toBe(0);
  }, 300_000);
});
