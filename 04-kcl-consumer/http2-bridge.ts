// Lesson 04's HTTP/2 bridge, for emulators that speak only HTTP/1.1.
//
// The KCL's Java SDK talks to Kinesis over HTTP/2 (h2c with prior knowledge on an http://
// endpoint), and the KCL (2.x and 3.x) has no setting that turns that off. Against an emulator that
// answers only HTTP/1.1, the daemon would log "First received frame was not SETTINGS"
// forever. So lesson 04 runs this bridge in its own process: it takes HTTP/2 from the KCL
// on a loopback port and passes each request on, unchanged, as HTTP/1.1.
import { type IncomingHttpHeaders, request } from "node:http";
import { createServer } from "node:http2";

/** Headers that belong to one hop, or to HTTP/2 only. */
const HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "http2-settings", "te", "host"]);

function onward(headers: IncomingHttpHeaders, host: string): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = { host };
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !name.startsWith(":") && !HOP.has(name)) kept[name] = value;
  }
  return kept;
}

/** Start the bridge to `target` (an http:// URL) on a free loopback port. */
export async function startHttp2Bridge(target: URL): Promise<{ endpoint: string; close(): Promise<void> }> {
  let port = 0;
  const server = createServer((req, res) => {
    // Only the KCL on this machine: its own address, and no web page (which would send an Origin).
    const host = req.headers[":authority"] ?? req.headers.host;
    if ((host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) || req.headers.origin !== undefined) {
      res.writeHead(403, { "content-type": "text/plain" });
      return void res.end("this bridge answers the KCL on this machine only\n");
    }
    const upstream = request(
      {
        host: target.hostname,
        port: Number(target.port || 80),
        method: req.method,
        path: req.url,
        headers: onward(req.headers, target.host),
      },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, onward(reply.headers, target.host));
        reply.pipe(res);
      },
    );
    upstream.on("error", (error) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`the emulator at ${target.origin} did not answer: ${error.message}\n`);
    });
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  });
  server.setTimeout(60_000);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
