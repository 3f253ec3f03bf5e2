// The local emulator as the workshop runs it: our version, state kept across a restart.
// (That it listens on 127.0.0.1 only is in test/security.int.test.ts.)
import { createServer, type Server } from "node:http";
import { CreateStreamCommand, ListStreamsCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emulatorPid, findRunningEmulator, layerPid, startEmulator, stopEmulator } from "../local/emulator.js";
import { WORKSHOP_DIR } from "../shared/paths.js";
import { lastJson, runCli } from "./cli.js";
import { clientFor, closeClients } from "../shared/index.js";
import { freePort, useTestEmulator, type TestEmulator } from "./emulator.js";

const testEmulator = useTestEmulator();

const where = (e: TestEmulator) => ({
  target: "local" as const,
  region: "us-east-1",
  endpoint: e.endpoint,
  debug: false,
});

describe("the local emulator", () => {
  it("is found again instead of started twice", async () => {
    const again = await startEmulator(testEmulator.current.paths);
    expect(again.pid).toBeUndefined(); // reused, not started
    expect(emulatorPid(testEmulator.current.paths)).toBe(testEmulator.current.pid);
  });

  it("keeps its streams across a graceful stop and start", async () => {
    await clientFor(KinesisClient, where(testEmulator.current)).send(
      new CreateStreamCommand({ StreamName: "kept", ShardCount: 1 }),
    );
    closeClients();
    expect(await stopEmulator(testEmulator.current.paths)).toBe(true);
    expect(await findRunningEmulator(testEmulator.current.port)).toBeUndefined();

    const restarted = await startEmulator(testEmulator.current.paths);
    testEmulator.current.pid = restarted.pid!;
    const { StreamNames } = await clientFor(KinesisClient, where(testEmulator.current)).send(
      new ListStreamsCommand({}),
    );
    expect(StreamNames).toContain("kept");
  });
});

describe("a port taken by another server", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    server = createServer((_, res) => res.end("<html>hello</html>"));
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("is refused with a message naming WORKSHOP_LOCAL_PORT", async () => {
    await expect(findRunningEmulator(port)).rejects.toThrow(
      `port ${port} answers, but it is not MiniStack: stop that server, or pick another port with WORKSHOP_LOCAL_PORT=4600`,
    );
  });
});

describe("an emulator that died without saving", () => {
  it("keeps every record it acknowledged; the next lesson says what else was lost and which lesson to run again", async () => {
    // A workshop folder of its own (MiniStack's install shared by a link), on a port of its own.
    const dir = mkdtempSync(join(tmpdir(), "workshop-killed-"));
    symlinkSync(join(WORKSHOP_DIR, "venv"), join(dir, "venv"));
    const port = await freePort();
    const env = { WORKSHOP_DIR: dir, WORKSHOP_LOCAL_PORT: String(port) };
    const paths = {
      port,
      stateDir: join(dir, "emulator-state"),
      pidFile: join(dir, `emulator-${port}.pid`),
      logFile: join(dir, `emulator-${port}.log`),
    };
    try {
      expect((await runCli("01-make-a-stream/main.ts", ["--stream", "kept", "--shards", "2"], env)).code).toBe(0);
      const put = await runCli("02-produce-data/main.ts", ["--stream", "kept", "--count", "1000", "--json"], env);
      expect(lastJson(put)).toMatchObject({ sent: 1000 });
      // The laptop's lid closes hard: both processes end without a chance to save.
      for (const pid of [emulatorPid(paths), layerPid(paths)]) process.kill(pid!, "SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, 300));

      // AWS stores a record durably before it answers: here, every record that got a 200 is still there.
      const read = await runCli("03-basic-consumer/main.ts", ["--stream", "kept", "--json"], env);
      expect(read.stdout).toMatch(
        /^! The local emulator had stopped without saving .*its streams and records are kept.*Run the lessons again from 01\.$/m,
      );
      expect(lastJson(read)).toMatchObject({ unique: 1000, duplicates: 0 });

      // Stopped cleanly this time: the next start says nothing of the kind.
      expect(await stopEmulator(paths)).toBe(true);
      const again = await runCli("01-make-a-stream/main.ts", ["--stream", "kept"], env);
      expect(again.stdout).not.toMatch(/stopped without saving/);
    } finally {
      await stopEmulator(paths);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
