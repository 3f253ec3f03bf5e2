// Test helper: a private MiniStack on a free port with a temporary state folder,
// never the student's instance on 4599. Stop it in afterAll.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { closeClients } from "../shared/clients.js";
import { stopCliRuns } from "./cli.js";
import { parseOptions, type Flags, type LessonInfo } from "../shared/options.js";
import { emulatorPid, freePort, startEmulator, stopEmulator, type EmulatorPaths } from "../local/emulator.js";

export { freePort };

export interface TestEmulator {
  endpoint: string;
  port: number;
  paths: EmulatorPaths;
  pid: number;
  stop(): Promise<void>;
}

export async function startTestEmulator(): Promise<TestEmulator> {
  const dir = mkdtempSync(join(tmpdir(), "workshop-test-"));
  const port = await freePort();
  const paths: EmulatorPaths = {
    port,
    stateDir: join(dir, "state"),
    pidFile: join(dir, "emulator.pid"),
    logFile: join(dir, "emulator.log"),
  };
  const running = await startEmulator(paths);
  const pid = emulatorPid(paths);
  if (!running.pid || pid !== running.pid) throw new Error(`test emulator on ${port} was not started by this test`);
  return {
    endpoint: running.endpoint,
    port,
    paths,
    pid,
    async stop() {
      await stopEmulator(paths);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** argv for a lesson's parseOptions() against the test emulator. */
export const localArgs = (emulator: TestEmulator, stream: string, ...more: string[]) => [
  "--target",
  "local",
  "--endpoint",
  emulator.endpoint,
  "--stream",
  stream,
  ...more,
];

/** A lesson's options against the test emulator, exactly as the command line would give them. */
export function localOptions<F extends Flags>(
  lesson: LessonInfo<F>,
  emulator: TestEmulator,
  stream: string,
  ...more: string[]
) {
  return parseOptions(lesson, localArgs(emulator, stream, ...more), {});
}

/**
 * Give this test file a private emulator: started before its tests, stopped after
 * them (clients closed first). Read `.current` inside tests and hooks.
 */
export function useTestEmulator(): { readonly current: TestEmulator } {
  let emulator: TestEmulator | undefined;
  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(async () => {
    await stopCliRuns(); // before the emulator, so no lesson run outlives it
    closeClients();
    await emulator?.stop();
  });
  return {
    get current() {
      if (!emulator) throw new Error("the test emulator is not started yet: read .current inside a test or hook");
      return emulator;
    },
  };
}

/** A lesson's options for unit tests with mocked clients: an endpoint nothing listens on, stream "s". */
export function offlineOptions<F extends Flags>(lesson: LessonInfo<F>, ...more: string[]) {
  return parseOptions(lesson, ["--endpoint", "http://127.0.0.1:1", "--stream", "s", ...more], {});
}
