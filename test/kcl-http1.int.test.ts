// Lesson 04 against an endpoint that speaks only HTTP/1.1: a plain Node HTTP/1.1 proxy of
// the test's own in front of the test emulator. The KCL's Java SDK asks for HTTP/2, so the
// lesson must bridge it (or fail in one line); here it processes every record.
import { createServer, request, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as lesson01 from "../01-make-a-stream/main.js";
import * as lesson02 from "../02-produce-data/main.js";
import * as lesson04 from "../04-kcl-consumer/main.js";
import { speaksH2c } from "../04-kcl-consumer/kcl-daemon.js";
import { parseOptions } from "../shared/options.js";
import { freePort, localOptions, useTestEmulator } from "./emulator.js";

const testEmulator = useTestEmulator();
let proxy: Server;
let proxyEndpoint: string;

beforeAll(async () => {
  const port = await freePort();
  proxy = createServer((req, res) => {
    const upstream = request(
      {
        host: "127.0.0.1",
        port: testEmulator.current.port,
        method: req.method,
        path: req.url,
        // As a reverse proxy does (nginx's proxy_pass, for one): the Host of the server behind it.
        headers: { ...req.headers, host: `127.0.0.1:${testEmulator.current.port}` },
      },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(port, "127.0.0.1", resolve));
  proxyEndpoint = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise((resolve) => proxy.close(resolve));
});

describe("lesson 04 on an endpoint that speaks only HTTP/1.1", () => {
  it("tells an HTTP/1.1-only server from one that speaks h2c", async () => {
    expect(await speaksH2c(testEmulator.current.endpoint)).toBe(true); // the limits layer
    expect(await speaksH2c(proxyEndpoint)).toBe(false);
  });

  it("processes every record through its bridge", async () => {
    const stream = "http1";
    await lesson01.main(localOptions(lesson01.lesson, testEmulator.current, stream));
    await lesson02.main(localOptions(lesson02.lesson, testEmulator.current, stream, "--count", "50"));
    const options = parseOptions(
      lesson04.lesson,
      ["--target", "localstack", "--endpoint", proxyEndpoint, "--stream", stream, "--expect", "50", "--timeout", "120"],
      {},
    );
    const summary = await lesson04.main(options);
    expect(summary).toMatchObject({ unique: 50, leases: 1 });
  }, 180_000);
});
