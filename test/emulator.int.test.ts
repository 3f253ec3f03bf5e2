// The local emulator as the workshop runs it: our version, state kept across a restart.
// (That it listens on 127.0.0.1 only is in test/security.int.test.ts.)
import { createServer, type Server } from "node:http";
import { CreateStreamCommand, ListStreamsCommand } from "@aws-sdk/client-kinesis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorPid, findRunningEmulator, startEmulator, stopEmulator } from "../shared/emulator.js";
import { closeClients, kinesisClient } from "../shared/index.js";
import { freePort, useTestEmulator, type TestEmulator } from "./emulator.js";

const testEmulator = useTestEmulator();

const where = (e: TestEmulator) => ({ target: "local" as const, region: "us-east-1", endpoint: e.endpoint, debug: false });

describe("the local emulator", () => {
  it("is found again instead of started twice", async () => {
    const again = await startEmulator(testEmulator.current.paths);
    expect(again.pid).toBeUndefined(); // reused, not started
    expect(emulatorPid(testEmulator.current.paths)).toBe(testEmulator.current.pid);
  });

  it("keeps its streams across a graceful stop and start", async () => {
    await kinesisClient(where(testEmulator.current)).send(new CreateStreamCommand({ StreamName: "kept", ShardCount: 1 }));
    closeClients();
    expect(await stopEmulator(testEmulator.current.paths)).toBe(true);
    expect(await findRunningEmulator(testEmulator.current.port)).toBeUndefined();

    const restarted = await startEmulator(testEmulator.current.paths);
    testEmulator.current.pid = restarted.pid!;
    const { StreamNames } = await kinesisClient(where(testEmulator.current)).send(new ListStreamsCommand({}));
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
