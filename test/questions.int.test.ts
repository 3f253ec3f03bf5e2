// Questions that cannot rot: every "try it" block in the five questions.md files is run,
// command by command, on a fresh local emulator, and the lines the text shows under a
// command must appear in what it prints, in that order. So an answer that stops being
// true fails CI.
//
// In a questions.md:
//   ```console            a try-it block: "$ " lines are commands, other lines the promised output
//   …  or  ...            in a promised line: anything
//   <!-- try-it setup: CMD -->     run CMD before the file's blocks (what the prose asks you to run first)
//   <!-- try-it skip: REASON -->   do not run the next block, for REASON (two terminals, a 5-minute wait)
//   <!-- try-it aws-only: REASON -->  do not run the next block: it shows what only AWS does
// A promised line starting with ✗ means the command must fail (exit code 1); otherwise it must succeed.
// A question's try-it stands before its <details> with commands only; a block in the answer
// that repeats its commands carries the lines they print, checked against the try-it's run
// (test/try-its.ts reads both; test/try-its.test.ts checks the layout).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, it } from "vitest";
import { stopEmulator } from "../local/emulator.js";
import { PROJECT_ROOT, WORKSHOP_DIR } from "../shared/paths.js";
import { runShell, stopCliRuns } from "./cli.js";
import { startTestEmulator } from "./emulator.js";
import { firstMissing, parseTryIts } from "./try-its.js";

/**
 * A folder that looks like the project to a student's shell (the lessons, shared/,
 * node_modules, package.json linked in), with a .workshop of its own so the try-its never
 * touch the student's state; the emulator and KCL installs are linked from the real one.
 */
function studentFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "workshop-questions-"));
  for (const entry of [
    "01-make-a-stream",
    "02-produce-data",
    "03-basic-consumer",
    "04-kcl-consumer",
    "05-lambda-function",
    "shared",
    "scripts",
    "node_modules",
    "package.json",
    "tsconfig.json",
  ]) {
    symlinkSync(join(PROJECT_ROOT, entry), join(dir, entry));
  }
  mkdirSync(join(dir, ".workshop"));
  for (const installed of ["venv", "kcl-jars"])
    symlinkSync(join(WORKSHOP_DIR, installed), join(dir, ".workshop", installed));
  // `npx tsx …` runs the project's own node_modules/.bin/tsx. A shim first on the PATH runs
  // that directly, without npm's own start-up: about 0.6 s of CPU for each of some 90 commands.
  const realNpx = spawnSync("bash", ["-c", "command -v npx"], { encoding: "utf8" }).stdout.trim();
  mkdirSync(join(dir, ".bin"));
  writeFileSync(
    join(dir, ".bin", "npx"),
    `#!/bin/sh\nif [ "$1" = tsx ]; then shift; exec "${join(dir, "node_modules", ".bin", "tsx")}" "$@"; fi\nexec "${realNpx}" "$@"\n`,
    { mode: 0o755 },
  );
  return dir;
}

const FILES = ["01-make-a-stream", "02-produce-data", "03-basic-consumer", "04-kcl-consumer", "05-lambda-function"];

// The five files run at once: each has its own emulator and folder, and mostly waits on them.
describe("questions.md: every try-it command does what the answer says", () => {
  // Each command is awaited; one still running when a test gives up is stopped once all are done.
  afterAll(stopCliRuns);
  it.concurrent.for(FILES)("%s/questions.md", { timeout: 600_000 }, async (lesson, { expect }) => {
    const { setup, blocks } = parseTryIts(readFileSync(join(PROJECT_ROOT, lesson, "questions.md"), "utf8"));
    const runnable = blocks.filter((b) => !b.skip);
    expect(runnable.length, "a questions.md with nothing to try").toBeGreaterThan(0);

    const emulator = await startTestEmulator();
    const cwd = studentFolder();
    const env = {
      PATH: `${join(cwd, ".bin")}:${process.env.PATH}`,
      WORKSHOP_DIR: join(cwd, ".workshop"),
      WORKSHOP_LOCAL_PORT: String(emulator.port), // the lessons find the test's emulator as "their own"
      NPM_CONFIG_UPDATE_NOTIFIER: "false",
    };
    const run = async (command: string) => runShell(command, { cwd, env, timeoutMs: 240_000 });
    try {
      for (const command of setup) {
        const result = await run(command);
        expect(result.code, `setup '${command}' failed:\n${result.stderr}`).toBe(0);
      }
      for (const block of runnable) {
        for (const { command, promised } of block.commands) {
          const result = await run(command);
          const where = `${lesson}/questions.md:${block.line} '$ ${command}'`;
          const output = `${result.stdout}\n${result.stderr}`;
          const expectFailure = promised.some((line) => line.startsWith("✗"));
          expect(result.code, `${where} exit code; it printed:\n${output}`).toBe(expectFailure ? 1 : 0);
          expect(
            firstMissing(output, promised, emulator.port),
            `${where} does not print this line; it printed:\n${output}`,
          ).toBeUndefined();
        }
      }
    } finally {
      // Had the test's emulator died, a lesson would have started one in this folder: stop that too.
      await stopEmulator({
        port: emulator.port,
        stateDir: join(cwd, ".workshop", "emulator-state"),
        pidFile: join(cwd, ".workshop", `emulator-${emulator.port}.pid`),
        logFile: join(cwd, ".workshop", "x.log"),
      });
      await emulator.stop();
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
