// The local endpoint, attacked as a web page, a careless client and a slow one would
// attack it, on a private emulator. Each test is written as the attack.
import { readFileSync } from "node:fs";
import { Agent, createServer, request, type Server } from "node:http";
import { connect as http2Connect } from "node:http2";
import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListStreamsCommand,
  PutRecordCommand,
  PutRecordsCommand,
} from "@aws-sdk/client-kinesis";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../shared/targets.js";
import { freePort, useTestEmulator } from "../test/emulator.js";
import { browserAvailable, launchBrowser } from "../view/browser.js";
import type { LayerStatus } from "./stats.js";

const testEmulator = useTestEmulator();
const endpoint = () => testEmulator.current.endpoint;
const port = () => testEmulator.current.port;
const FAKE_SIGNATURE =
  "AWS4-HMAC-SHA256 Credential=test/20261130/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0";

/** A Kinesis client whose requests are reshaped after the SDK builds them, and signed as reshaped. */
function kinesisClient(reshape?: (headers: Record<string, string>) => void, maxAttempts = 1) {
  const client = new KinesisClient({
    region: "us-east-1",
    endpoint: endpoint(),
    credentials: EMULATOR_CREDENTIALS,
    maxAttempts,
  });
  if (reshape)
    client.middlewareStack.add(
      (next) => async (args) => {
        reshape((args.request as { headers: Record<string, string> }).headers);
        return next(args);
      },
      { step: "build", name: "reshape" },
    );
  return client;
}

/** One HTTP/1.1 request with exactly these headers; its status and body. */
function raw(path: string, method: string, headers: Record<string, string>, body = "") {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const call = request({ host: "127.0.0.1", port: port(), path, method, headers, agent: false }, (reply) => {
      let text = "";
      reply.on("data", (chunk) => (text += chunk));
      reply.on("end", () => resolve({ status: reply.statusCode ?? 0, body: text }));
    });
    call.on("error", reject);
    call.end(body);
  });
}

async function layer(): Promise<LayerStatus> {
  return (await (await fetch(`${endpoint()}/_workshop/layer`)).json()) as LayerStatus;
}
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

/** Established connections from the endpoint to MiniStack (Linux: /proc/net/tcp, remote port in hex). */
function backendConnections(backendPort: number): number {
  const hexPort = backendPort.toString(16).toUpperCase().padStart(4, "0");
  return readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .filter((line) => {
      const [, local, remote, state] = line.trim().split(/\s+/);
      return state === "01" && remote?.endsWith(`:${hexPort}`) && !local?.endsWith(`:${hexPort}`);
    }).length;
}

async function makeStream(name: string, shards = 1) {
  const kinesis = kinesisClient(undefined, 3);
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  kinesis.destroy();
}

describe("same origin only", () => {
  let page: Server;
  let pageUrl: string;
  beforeAll(async () => {
    const pagePort = await freePort();
    page = createServer((_, res) => res.end("<!doctype html><title>elsewhere</title>"));
    await new Promise<void>((resolve) => page.listen(pagePort, "127.0.0.1", resolve));
    pageUrl = `http://127.0.0.1:${pagePort}/`;
  });
  afterAll(() => new Promise((resolve) => page.close(resolve)));

  it.skipIf(!browserAvailable)(
    "a page on another loopback origin, in Chromium, cannot list, put, create a function or invoke one",
    async () => {
      const browser = await launchBrowser();
      try {
        const tab = await browser.newPage();
        await tab.goto(pageUrl);
        const outcomes = await tab.evaluate(async (target) => {
          const kinesis = (operation: string, body: object) =>
            fetch(target, {
              method: "POST",
              headers: {
                "content-type": "application/x-amz-json-1.1",
                "x-amz-target": `Kinesis_20131202.${operation}`,
                authorization: "AWS4-HMAC-SHA256 Credential=test/20261130/us-east-1/kinesis/aws4_request, Signature=0",
              },
              body: JSON.stringify(body),
            });
          const tries: Record<string, () => Promise<Response>> = {
            ListStreams: () => kinesis("ListStreams", {}),
            CreateStream: () => kinesis("CreateStream", { StreamName: "from-a-page", ShardCount: 1 }),
            PutRecord: () => kinesis("PutRecord", { StreamName: "victim", Data: "aGk=", PartitionKey: "k" }),
            CreateFunction: () =>
              fetch(`${target}/2015-03-31/functions`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ FunctionName: "from-a-page", Runtime: "nodejs24.x", Role: "x", Handler: "i.h" }),
              }),
            Invoke: () =>
              fetch(`${target}/2015-03-31/functions/from-a-page/invocations`, { method: "POST", body: "{}" }),
            // A "simple" request needs no preflight: the browser sends it, and only the endpoint can refuse it.
            SimplePost: () =>
              fetch(target, { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: "{}" }),
          };
          const seen: Record<string, string> = {};
          for (const [name, attempt] of Object.entries(tries)) {
            try {
              const response = await attempt();
              seen[name] = response.type === "opaque" ? "opaque" : String(response.status);
            } catch (error) {
              seen[name] = `failed: ${(error as Error).name}`;
            }
          }
          return seen;
        }, endpoint());
        // fetch() with AWS's headers needs a preflight, which is refused: the call never goes out.
        for (const name of ["ListStreams", "CreateStream", "PutRecord", "CreateFunction", "Invoke"])
          expect(outcomes[name], name).toMatch(/^failed/);
        expect(outcomes.SimplePost).toBe("opaque"); // sent, but refused with 403 (below: nothing was made)
      } finally {
        await browser.close();
      }
      const streams = await kinesisClient().send(new ListStreamsCommand({}));
      expect(streams.StreamNames ?? []).not.toContain("from-a-page");
      const lambda = new LambdaClient({ region: "us-east-1", endpoint: endpoint(), credentials: EMULATOR_CREDENTIALS });
      const functions = await lambda.send(new ListFunctionsCommand({}));
      lambda.destroy();
      expect((functions.Functions ?? []).map((f) => f.FunctionName)).not.toContain("from-a-page");
    },
    60_000,
  );

  const listStreams = {
    "content-type": "application/x-amz-json-1.1",
    "x-amz-target": "Kinesis_20131202.ListStreams",
    authorization: FAKE_SIGNATURE,
  };
  it.each([
    ["an Origin header", "POST", "/", { ...listStreams, origin: "http://127.0.0.1:9" }],
    ["a preflight", "OPTIONS", "/", { origin: "http://evil.example", "access-control-request-method": "POST" }],
    ["a foreign Host (DNS rebinding)", "POST", "/", { ...listStreams, host: "evil.example:PORT" }],
    ["a foreign Host on the stats", "GET", "/_workshop/stats", { host: "evil.example:PORT" }],
    ["an Origin on the stats", "GET", "/_workshop/stats", { origin: "http://127.0.0.1:9" }],
    ["a request from a page (Sec-Fetch-Site)", "POST", "/", { ...listStreams, "sec-fetch-site": "cross-site" }],
    [
      "an unsigned request",
      "POST",
      "/",
      { "content-type": "application/x-amz-json-1.1", "x-amz-target": "Kinesis_20131202.ListStreams" },
    ],
    ["an unsigned IAM call in a GET", "GET", "/?Action=CreateRole&RoleName=x", {}],
    ["a preflight with no Origin", "OPTIONS", "/", {}],
    [
      "a signature in a shape no SDK writes (MiniStack would read it otherwise)",
      "POST",
      "/",
      {
        "x-amz-target": "X.PutRecords",
        authorization:
          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/2026/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0",
      },
    ],
    [
      "another signing scheme",
      "POST",
      "/",
      { ...listStreams, authorization: "AWS4-X Credential=test/20261130/r1/kinesis/aws4_request, Signature=0" },
    ],
  ])("refuses %s with 403, passing on no CORS header", async (_, method, path, headers) => {
    const withHost = { host: `127.0.0.1:${port()}`, ...headers } as Record<string, string>;
    if (withHost.host === "evil.example:PORT") withHost.host = `evil.example:${port()}`;
    const reply = await raw(path, method, withHost, method === "POST" ? "{}" : "");
    expect(reply.status).toBe(403);
    expect(reply.body).not.toMatch(/StreamNames/);
  });
});

describe("metering cannot be walked around", () => {
  const shapes: [string, (h: Record<string, string>) => void][] = [
    ["no Content-Type", (h) => delete h["content-type"]],
    ["text/plain", (h) => (h["content-type"] = "text/plain")],
    ["a lowercase target", (h) => (h["x-amz-target"] = h["x-amz-target"]!.toLowerCase())],
    ["target Foo.PutRecords", (h) => (h["x-amz-target"] = `Foo.${h["x-amz-target"]!.split(".")[1]}`)],
  ];
  it.each(shapes)(
    "ten PutRecords of 500 into one shard with %s: metered like the usual shape",
    async (name, reshape) => {
      const stream = `bypass-${name.replace(/\W+/g, "-")}`;
      await makeStream(stream);
      const kinesis = kinesisClient(reshape);
      const Records = Array.from({ length: 500 }, (_, i) => ({ Data: Buffer.from(`r${i}`), PartitionKey: `k${i}` }));
      // All ten at once. A shard's bucket holds 500 records and refills at 1,000 a second, so
      // however slow this machine is, at most 500 + 1,000 × (seconds taken) can be stored.
      const started = performance.now();
      const refusals = await Promise.all(
        Array.from({ length: 10 }, () =>
          kinesis.send(new PutRecordsCommand({ StreamName: stream, Records })).then(
            (reply) => reply.FailedRecordCount ?? 0,
            () => 500, // refused whole: not stored either
          ),
        ),
      );
      const seconds = (performance.now() - started) / 1000;
      kinesis.destroy();
      const stored = 5000 - refusals.reduce((sum, n) => sum + n, 0);
      expect(stored, `${stored} stored in ${seconds.toFixed(2)} s`).toBeLessThanOrEqual(500 + 1000 * seconds);
      expect(stored).toBeLessThan(5000);
    },
  );

  it("meters each account's stream of a name apart, as AWS keeps them apart", async () => {
    const inAccount = (accessKeyId: string) =>
      new KinesisClient({
        region: "us-east-1",
        endpoint: endpoint(),
        credentials: { accessKeyId, secretAccessKey: "test" },
        maxAttempts: 1,
      });
    const Records = Array.from({ length: 500 }, (_, i) => ({ Data: Buffer.from(`r${i}`), PartitionKey: `k${i}` }));
    let refused = 0;
    for (const account of ["111111111111", "222222222222"]) {
      const kinesis = inAccount(account);
      await kinesis.send(new CreateStreamCommand({ StreamName: "same-name", ShardCount: 1 }));
      refused +=
        (await kinesis.send(new PutRecordsCommand({ StreamName: "same-name", Records }))).FailedRecordCount ?? 0;
      kinesis.destroy();
    }
    expect(refused).toBe(0); // each account's shard takes its own 500 at once
  });

  it("throttles GetRecords on an iterator fetched without a Content-Type, and GetShardIterator over 5 a second", async () => {
    await makeStream("bypass-read");
    const kinesis = kinesisClient((h) => delete h["content-type"]);
    const iteratorCalls = await Promise.allSettled(
      Array.from({ length: 30 }, () =>
        kinesis.send(
          new GetShardIteratorCommand({
            StreamName: "bypass-read",
            ShardId: "shardId-000000000000",
            ShardIteratorType: "TRIM_HORIZON",
          }),
        ),
      ),
    );
    expect(iteratorCalls.filter((c) => c.status === "rejected").length).toBeGreaterThanOrEqual(20);
    const iterator = iteratorCalls.flatMap((c) => (c.status === "fulfilled" ? [c.value.ShardIterator!] : []))[0]!;
    const reads = await Promise.allSettled(
      Array.from({ length: 20 }, () => kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }))),
    );
    kinesis.destroy();
    const throttled = reads.filter(
      (r) => r.status === "rejected" && (r.reason as Error).name === "ProvisionedThroughputExceededException",
    );
    expect(throttled.length).toBeGreaterThanOrEqual(10);
  });
});

describe("no jam", () => {
  /** Open `count` connections that each send headers and 1 KB of a 100 KB body, then wait. */
  async function halfSent(count: number): Promise<Socket[]> {
    const sockets: Socket[] = [];
    for (let i = 0; i < count; i++) {
      const socket = connect(port(), "127.0.0.1");
      socket.on("error", () => {});
      socket.write(
        `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port()}\r\nContent-Type: application/x-amz-json-1.1\r\n` +
          `X-Amz-Target: Kinesis_20131202.ListStreams\r\nAuthorization: ${FAKE_SIGNATURE}\r\nContent-Length: 100000\r\n\r\n${"x".repeat(1024)}`,
      );
      sockets.push(socket);
    }
    await sleep(300);
    return sockets;
  }

  async function listStreamsMs(): Promise<number> {
    const kinesis = kinesisClient();
    const started = performance.now();
    await kinesis.send(new ListStreamsCommand({}), { abortSignal: AbortSignal.timeout(5000) });
    kinesis.destroy();
    return performance.now() - started;
  }

  it("answers ListStreams within 2 s with 300 half-sent requests open, and after 300 aborted ones", async () => {
    const { backendPort } = await layer();
    await listStreamsMs();
    const idle = backendConnections(backendPort);

    const open = await halfSent(300);
    expect(await listStreamsMs()).toBeLessThan(2000);
    for (const socket of open) socket.destroy(); // aborted mid-body
    const aborted = await halfSent(300);
    for (const socket of aborted) socket.destroy();
    await sleep(500);
    expect(await listStreamsMs()).toBeLessThan(2000);
    expect(backendConnections(backendPort)).toBeLessThanOrEqual(Math.max(idle, 1) + 2);
  }, 60_000);

  // Each waits on the endpoint's own clock (10 to 15 s): the three wait together.
  describe("cuts off a client that is too slow", () => {
    it.concurrent("closes a connection that trickles its headers, a byte every 2 s", async ({ expect }) => {
      const socket = connect(port(), "127.0.0.1");
      socket.on("error", () => {});
      socket.resume();
      const header = `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port()}\r\nX-Slow: `;
      let sent = 0;
      const drip = setInterval(() => socket.write(header[sent++ % header.length]!), 2000);
      const closedAfter = await new Promise<number>((resolve) => {
        const started = Date.now();
        socket.on("close", () => resolve(Date.now() - started));
      });
      clearInterval(drip);
      expect(closedAfter).toBeLessThan(20_000); // 5 s to start, 10 s for the headers: the endpoint's own clock
    }, 30_000);

    it.concurrent("closes an HTTP/2 connection that sends its preface and nothing more", async ({ expect }) => {
      const socket = connect(port(), "127.0.0.1");
      socket.on("error", () => {});
      socket.resume(); // read what the server sends (its SETTINGS), so its close is seen
      socket.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
      const closedAfter = await new Promise<number>((resolve) => {
        const started = Date.now();
        socket.on("close", () => resolve(Date.now() - started));
      });
      expect(closedAfter).toBeLessThan(20_000);
    }, 30_000);

    it.concurrent("closes a connection that sends nothing", async ({ expect }) => {
      const socket = connect(port(), "127.0.0.1");
      const closed = await new Promise<number>((resolve) => {
        const started = Date.now();
        socket.on("close", () => resolve(Date.now() - started));
        socket.on("error", () => {});
      });
      expect(closed).toBeLessThan(15_000); // the endpoint gives a silent client 10 s
    }, 20_000);
  });

  it("refuses an HTTP/2 request whose :authority and Host disagree (MiniStack routes by Host)", async () => {
    const session = http2Connect(endpoint());
    const status = await new Promise<number>((resolve, reject) => {
      const stream = session.request({
        ":method": "POST",
        ":path": "/",
        host: "kinesis.localhost",
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "X.PutRecords",
        authorization: FAKE_SIGNATURE.replace("/kinesis/", "/foo/"),
      });
      stream.on("response", (headers) => resolve(Number(headers[":status"])));
      stream.on("error", reject);
      stream.end("{}");
    });
    session.close();
    expect(status).toBe(403);
  });
});

describe("bounded", () => {
  it("answers a 50 MB body with 413, declared or chunked, and stays under 200 MB", async () => {
    const { pid } = await layer();
    for (const declared of [true, false]) {
      const status = await new Promise<number>((resolve) => {
        const call = request(
          {
            host: "127.0.0.1",
            port: port(),
            method: "POST",
            path: "/",
            agent: false,
            headers: {
              "content-type": "application/x-amz-json-1.1",
              "x-amz-target": "Kinesis_20131202.PutRecords",
              authorization: FAKE_SIGNATURE,
              ...(declared ? { "content-length": String(50 * 1024 * 1024) } : {}),
            },
          },
          (reply) => resolve(reply.statusCode ?? 0),
        );
        call.on("error", () => {});
        const chunk = Buffer.alloc(1024 * 1024, 0x61);
        let sent = 0;
        const pump = () => {
          while (sent < 50) {
            sent++;
            if (!call.write(chunk)) return void call.once("drain", pump); // written; wait before the next
          }
          call.end();
        };
        pump();
      });
      expect(status).toBe(413);
    }
    expect(rssMiB(pid)).toBeLessThan(200);
  }, 60_000);

  it("refuses an oversized record without holding its shard back", async () => {
    await makeStream("oversized");
    const kinesis = kinesisClient();
    await expect(
      kinesis.send(
        new PutRecordCommand({ StreamName: "oversized", Data: Buffer.alloc(1024 * 1024 + 1), PartitionKey: "k" }),
      ),
    ).rejects.toMatchObject({ name: "ValidationException" });
    // At once, a full-size record goes in: the refused one took nothing from the shard.
    const put = await kinesis.send(
      new PutRecordCommand({ StreamName: "oversized", Data: Buffer.alloc(1024 * 1024 - 1), PartitionKey: "k" }),
    );
    kinesis.destroy();
    expect(put.SequenceNumber).toMatch(/^\d+$/);
  });

  it("keeps its memory and its stats bounded through 36,000 calls on made-up shard ids", async () => {
    await makeStream("made-up");
    const { pid } = await layer();
    const statsSize = async () => (await (await fetch(`${endpoint()}/_workshop/stats`)).text()).length;
    // Plain keep-alive requests (the SDK would spend longer signing than the endpoint answering).
    const agent = new Agent({ keepAlive: true, maxSockets: 50 });
    const headers = {
      host: `127.0.0.1:${port()}`,
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "Kinesis_20131202.GetShardIterator",
      authorization: FAKE_SIGNATURE,
    };
    const madeUp = (n: number) =>
      new Promise<number>((resolve) => {
        const call = request(
          { host: "127.0.0.1", port: port(), method: "POST", path: "/", headers, agent },
          (reply) => {
            reply.resume();
            reply.on("end", () => resolve(reply.statusCode ?? 0));
          },
        );
        call.on("error", () => resolve(0));
        call.end(JSON.stringify({ StreamName: "made-up", ShardId: `shardId-9${n}`, ShardIteratorType: "LATEST" }));
      });
    // A first round warms the endpoint up (its code paths, its sockets). Then 6 × 6,000 calls,
    // RSS read after each. The stats' size is the exact check: no made-up shard gets a meter.
    // RSS is the rough one: without a leak it climbs as the heap grows, by 30 to 45 MiB in all
    // (measured by hand), then saws up and down between collections. A leak of 3 KB a call
    // would add 100 MiB more.
    await Promise.all(Array.from({ length: 100 }, (_, i) => madeUp(-1 - i)));
    const before = { rss: rssMiB(pid), stats: await statsSize() };
    const statuses = new Set<number>();
    const samples: number[] = [];
    for (let sixth = 0; sixth < 6; sixth++) {
      for (let round = sixth * 60; round < (sixth + 1) * 60; round++) {
        for (const status of await Promise.all(Array.from({ length: 100 }, (_, i) => madeUp(round * 100 + i))))
          statuses.add(status);
      }
      samples.push(rssMiB(pid));
    }
    agent.destroy();
    expect([...statuses]).toEqual([400]); // ResourceNotFoundException, each one
    expect(await statsSize()).toBeLessThanOrEqual(before.stats + 1000);
    const seen = `RSS ${before.rss.toFixed(0)} MiB, then after each 6,000 calls: ${samples.map((m) => m.toFixed(0)).join(", ")} MiB`;
    expect(Math.max(...samples), seen).toBeLessThan(before.rss + 80);
  }, 120_000);
});

describe("AWS's errors for bad input, never a 502", () => {
  const data = Buffer.from("x").toString("base64");
  it.each([
    ["malformed JSON", "PutRecords", "{oops", "SerializationException"],
    ["Records: [null]", "PutRecords", '{"StreamName":"errors","Records":[null]}', "ValidationException"],
    [
      'ExplicitHashKey: "abc"',
      "PutRecord",
      `{"StreamName":"errors","Data":"${data}","PartitionKey":"k","ExplicitHashKey":"abc"}`,
      "ValidationException",
    ],
    ["a million shards", "CreateStream", '{"StreamName":"huge","ShardCount":1000000}', "LimitExceededException"],
    [
      "a shard count that is not a number",
      "CreateStream",
      '{"StreamName":"nan","ShardCount":"abc"}',
      "ValidationException",
    ],
    [
      "a numeric PartitionKey",
      "PutRecords",
      `{"StreamName":"errors","Records":[{"Data":"${data}","PartitionKey":1}]}`,
      "SerializationException",
    ],
  ])("%s: 400 %s", async (_, operation, body, type) => {
    const reply = await raw(
      "/",
      "POST",
      {
        host: `127.0.0.1:${port()}`,
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `Kinesis_20131202.${operation}`,
        authorization: FAKE_SIGNATURE,
      },
      body,
    );
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body).__type).toBe(type);
  });
});
