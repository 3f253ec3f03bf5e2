// The endpoint's way to the emulator behind it (MiniStack, on a loopback port of its own).
//
// A request goes on only once its whole body has arrived (the endpoint reads it first),
// so a client that sends half a request holds none of the connections to MiniStack.
// Each request to MiniStack has a deadline, and is cancelled when its client goes away.
import { Agent, type IncomingHttpHeaders, type IncomingMessage, request } from "node:http";
import type { Readable } from "node:stream";

/** Headers that belong to one hop (and that HTTP/2 forbids), and browser headers MiniStack has no use for. */
const HOP_HEADERS = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "proxy-connection",
  "http2-settings",
  "te",
  "host",
  "content-length",
]);

/** How long MiniStack may take: a Lambda invocation may run for minutes, anything else should be quick. */
const deadlineFor = (path: string) => (/\/functions\/[^/]+\/invocations/.test(path) ? 300_000 : 60_000);

export class Backend {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 });

  constructor(readonly port: number) {}

  /**
   * Send a client's request on (its body already read), as the client sent it. `host` is
   * the address the client used: MiniStack builds URLs from it. Rejects when `cancel`
   * fires (the client went away) or the deadline passes.
   */
  forward(
    call: { method: string; path: string; headers: IncomingHttpHeaders; host: string; body: Buffer },
    cancel: AbortSignal,
  ): Promise<IncomingMessage> {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(call.headers)) {
      if (value === undefined || name.startsWith(":") || HOP_HEADERS.has(name)) continue;
      headers[name] = value;
    }
    headers.host = call.host;
    headers["content-length"] = String(call.body.length);
    delete headers["accept-encoding"]; // the endpoint reads some replies
    return new Promise((resolve, reject) => {
      const upstream = request({
        host: "127.0.0.1",
        port: this.port,
        method: call.method,
        path: call.path,
        headers,
        agent: this.agent,
      });
      // The client left, or MiniStack took too long: the request (and its reply) is dropped, its connection closed.
      const drop = (why: Error) => upstream.destroy(why);
      const onCancel = () => drop(new Error("the client went away"));
      cancel.addEventListener("abort", onCancel, { once: true });
      upstream.setTimeout(deadlineFor(call.path), () =>
        drop(Object.assign(new Error("timeout"), { name: "TimeoutError" })),
      );
      upstream.on("response", (reply) => {
        reply.on("close", () => cancel.removeEventListener("abort", onCancel));
        resolve(reply);
      });
      upstream.on("error", reject);
      upstream.end(call.body);
    });
  }

  /** A Kinesis call of the endpoint's own (to learn a stream's shards), signed as its client's call was. */
  async kinesis<T>(operation: string, input: object, authorization: string | undefined): Promise<T | undefined> {
    const reply = await this.forward(
      {
        method: "POST",
        path: "/",
        host: `127.0.0.1:${this.port}`,
        headers: {
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": `Kinesis_20131202.${operation}`,
          ...(authorization ? { authorization } : {}),
        },
        body: Buffer.from(JSON.stringify(input)),
      },
      AbortSignal.timeout(10_000),
    );
    const text = (await readAll(reply)).toString("utf8");
    return reply.statusCode === 200 ? (JSON.parse(text) as T) : undefined;
  }

  /** Is MiniStack answering its health check? */
  async healthy(): Promise<boolean> {
    try {
      const health = await fetch(`http://127.0.0.1:${this.port}/_ministack/health`, {
        signal: AbortSignal.timeout(1000),
      });
      return health.ok;
    } catch {
      return false;
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Read a stream to its end: `limit` bytes at most (more rejects with BodyTooLarge). */
export function readAll(stream: Readable, limit = Number.POSITIVE_INFINITY): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stream.removeAllListeners("data");
        stream.pause();
        reject(new BodyTooLarge(limit));
      } else chunks.push(chunk);
    });
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
    stream.on("close", () => reject(new Error("the client went away")));
  });
}

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`body over ${limit} bytes`);
  }
}

/** The reply's headers that may go on to the client: no hop headers, and no CORS (the endpoint decides that). */
export function passableHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_HEADERS.has(name) || name.startsWith("access-control-")) continue;
    kept[name] = value;
  }
  return kept;
}
