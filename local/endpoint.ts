// The local target's endpoint: where every client of the local target connects (the
// lessons, the KCL's Java daemon, the AWS CLI, boto3), on 127.0.0.1:4599. It stands in
// front of MiniStack, which listens on a loopback port of its own, and does what MiniStack
// does not: it holds each shard to AWS's limits, and it answers this machine's own
// clients only. A request's way through it:
//
//   accept   the Host is ours, no web page sent it (Origin, Sec-Fetch-Site), it is signed,
//            its body is no larger than AWS takes, and it arrives in time   (accept.ts)
//   parse    is it a Kinesis call, however spelled? well-formed, or AWS's 400   (parse.ts)
//   meter    a Kinesis data call takes its shard's allowance, or is refused   (kinesis-calls.ts, shard-limits.ts)
//   Kinesis  answered by the workshop's own Kinesis, its records kept on disk   (kinesis-engine.ts)
//   forward  anything else to MiniStack, with a deadline, cancelled if the client leaves   (backend.ts)
//   answer   MiniStack's reply as it comes, or the endpoint's own, shaped as AWS's   (replies.ts)
//
// It speaks HTTP/1.1 and HTTP/2 without TLS (front.ts: h2c with prior knowledge, as the AWS SDK
// for Java does for http:// endpoints) on the same port. With limits off it still
// counts, and refuses nothing over a limit.
//
//   node --import tsx local/endpoint.ts --port 4599 --backend 45123 [--limits off] [--kinesis DIR] [--mappings FILE]
import type { IncomingMessage, IncomingHttpHeaders, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { Server } from "node:net";
import { parseArgs } from "node:util";
import { isMainModule } from "../shared/paths.js";
import { allowedOrigins, foreignRequest } from "./accept.js";
import { Backend, BodyTooLarge, passableHeaders, readAll } from "./backend.js";
import { listenForBoth, REQUEST_TIMEOUT_MS } from "./front.js";
import { MeteredKinesis } from "./kinesis-calls.js";
import { KinesisStore } from "./kinesis-store.js";
import { isMappingCall } from "./esm-api.js";
import { LocalMappings } from "./esm.js";
import { credentialScope, kinesisOperation, parseKinesisCall, wellSigned } from "./parse.js";
import { emulatorUnavailable, forbidden, jsonReply, type Reply, tooLarge } from "./replies.js";
import { MiB } from "./shard-limits.js";
import { EndpointStats, type LayerStatus } from "./stats.js";

export interface EndpointSettings {
  /** Where clients connect (on 127.0.0.1). */
  port: number;
  /** Where MiniStack listens (on 127.0.0.1). */
  backendPort: number;
  /** false: count, refuse nothing over a limit. */
  limits: boolean;
  /** Browser origins allowed to call the endpoint (default: WORKSHOP_ALLOW_ORIGINS, else none). */
  allowOrigins?: string[];
  /** Where the Kinesis event source mappings are kept (esm.ts); none: in memory only. */
  mappingsFile?: string;
  /** Where the streams and their records are kept (kinesis-store.ts); none: in memory only. */
  kinesisDir?: string;
}

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

/** The largest bodies AWS takes: a PutRecords of 10 MiB (base64, with its JSON), a Lambda zip upload, anything else. */
export const BODY_LIMITS = {
  kinesis: Math.ceil((10 * MiB * 4) / 3) + MiB,
  lambda: 70_167_211, // Lambda's own figure for CreateFunction and UpdateFunctionCode
  other: 16 * MiB,
};

export function startEndpoint(settings: EndpointSettings): Promise<{ server: Server; close(): Promise<void> }> {
  const origins = settings.allowOrigins ?? allowedOrigins();
  const backend = new Backend(settings.backendPort);
  const stats = new EndpointStats(settings.limits);
  const store = new KinesisStore(settings.kinesisDir);
  const kinesis = new MeteredKinesis(store, stats);
  const trimming = setInterval(() => store.trim(), 60_000).unref(); // records past their retention
  const mappings = new LocalMappings(settings.port, settings.backendPort, settings.mappingsFile);
  mappings.start();

  async function handle(req: Request, res: Response): Promise<void> {
    // accept
    const foreign = foreignRequest(req.headers, settings.port, origins);
    if (foreign) return refuse(req, res, forbidden(foreign));
    const cors = corsHeaders(req.headers.origin);
    if (req.method === "OPTIONS") {
      // A preflight, which only a browser sends: answered for an allowed origin, refused for any other.
      if (req.headers.origin === undefined) return refuse(req, res, forbidden("a preflight with no allowed Origin"));
      return answer(res, { status: 204, headers: preflight(req.headers), body: "" }, { cors });
    }
    const path = req.url ?? "/";
    if (path === "/_workshop/stats") {
      return answer(res, jsonReply({ ...stats.snapshot(), mappings: mappings.stats() }), { cors });
    }
    if (path.startsWith("/_workshop/")) return answer(res, jsonReply(await status()), { cors });
    if (!signed(req, path) && !(req.method === "GET" && path === "/_ministack/health")) {
      const why = "the local endpoint takes signed AWS requests only (an SDK, the AWS CLI or boto3 sign them)";
      return refuse(req, res, forbidden(why), cors);
    }
    const operation = kinesisOperation(req.headers);
    const limit =
      operation !== undefined
        ? BODY_LIMITS.kinesis
        : path.startsWith("/2015-03-31/functions")
          ? BODY_LIMITS.lambda
          : BODY_LIMITS.other;
    if (Number(req.headers["content-length"] ?? 0) > limit) return refuseBody(req, res, limit, operation);
    const stalled = setTimeout(() => req.destroy(), REQUEST_TIMEOUT_MS); // a body that stops arriving
    const body = await readAll(req, limit).finally(() => clearTimeout(stalled));

    // parse, meter, forward
    const cancel = whenClientLeaves(res);
    const host = String(req.headers[":authority"] ?? req.headers.host); // the value accept.ts checked
    const send = (onward: Buffer) =>
      backend.forward({ method: req.method ?? "POST", path, headers: req.headers, host, body: onward }, cancel);
    if (isMappingCall(path)) {
      // A Kinesis source's event source mapping is the endpoint's own (esm.ts); any other, MiniStack's.
      const { accessKey, region } = credentialScope(req.headers);
      const reply = await mappings.answer(req.method ?? "GET", path, body, accessKey, region);
      if (reply !== "forward") return answer(res, reply, { cors });
    }
    if (operation === undefined) return relay(await send(body), res, cors);
    const call = parseKinesisCall(operation, req.headers, body);
    if (!(call as { operation?: string }).operation) return answer(res, call as Reply, { cors });
    return answer(res, kinesis.serve(call as Exclude<typeof call, Reply>), { cors });
  }

  async function status(): Promise<LayerStatus> {
    return {
      layer: "workshop-limits",
      limits: settings.limits,
      backendPort: settings.backendPort,
      backendHealthy: await backend.healthy(),
      pid: process.pid,
    };
  }

  /** CORS headers for an allowed browser origin (any other origin was refused before this). */
  function corsHeaders(origin: string | undefined): Record<string, string> {
    if (!origin) return {};
    return {
      "access-control-allow-origin": origin,
      "access-control-expose-headers": "x-amzn-requestid, x-amzn-errortype, x-amz-request-id, date",
      vary: "origin",
    };
  }

  const onRequest = (req: Request, res: Response) => {
    handle(req, res).catch((error: Error) => {
      if (error instanceof BodyTooLarge) return refuseBody(req, res, error.limit, kinesisOperation(req.headers));
      if (res.headersSent || res.destroyed || req.destroyed) return void res.destroy?.();
      const why =
        error.name === "TimeoutError" ? "it took too long" : ((error as NodeJS.ErrnoException).code ?? error.message);
      answer(res, emulatorUnavailable(why));
    });
  };

  return listenForBoth(settings.port, onRequest, () => {
    mappings.close();
    backend.close();
    clearInterval(trimming);
    store.close();
  });
}

/**
 * A request signed with SigV4 as the SDKs sign it, or a presigned read: a GET with its
 * signature in the URL, no body, and not for Kinesis (such as a Lambda code download).
 */
function signed(req: Request, path: string): boolean {
  if (req.headers.authorization !== undefined) return wellSigned(req.headers);
  const query = new Map(
    [...new URLSearchParams(path.split("?")[1] ?? "")].map(([key, value]) => [key.toLowerCase(), value]),
  );
  return (
    (req.method === "GET" || req.method === "HEAD") &&
    query.has("x-amz-signature") &&
    !/\/kinesis\//.test(query.get("x-amz-credential") ?? "") &&
    req.headers["x-amz-target"] === undefined &&
    !Number(req.headers["content-length"] ?? 0) &&
    req.headers["transfer-encoding"] === undefined
  );
}

/** An allowed origin's preflight: what it may send. */
function preflight(headers: IncomingHttpHeaders): Record<string, string> {
  return {
    "access-control-allow-methods": "GET, HEAD, POST, PUT, PATCH, DELETE",
    "access-control-allow-headers": String(headers["access-control-request-headers"] ?? "*"),
    "access-control-max-age": "600",
  };
}

/** An AbortSignal that fires when the client goes away before its answer is sent. */
function whenClientLeaves(res: Response): AbortSignal {
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) controller.abort(new Error("the client went away"));
  });
  return controller.signal;
}

/** 413: the body is larger than AWS takes for this call. */
function refuseBody(req: Request, res: Response, limit: number, operation: string | undefined): void {
  refuse(req, res, tooLarge(limit, operation ? `the ${operation} operation` : "this operation"));
}

/**
 * Answer a request without keeping its body. What is left of the body is read and dropped
 * (held in no memory) before the answer goes out, so that a client still sending gets the
 * answer rather than a broken connection; one that sends for more than 10 s more gets it then.
 */
function refuse(req: Request, res: Response, reply: Reply, cors: Record<string, string> = {}): void {
  const respond = () => {
    clearTimeout(timer);
    answer(res, reply, { cors });
  };
  const timer = setTimeout(respond, 10_000);
  req.removeAllListeners("data");
  if (req.readableEnded) {
    respond();
    return;
  }
  req.once("end", respond);
  req.once("close", () => clearTimeout(timer));
  req.resume();
}

/** Pass MiniStack's reply on as it comes, without its CORS headers. */
function relay(reply: IncomingMessage, res: Response, cors: Record<string, string>): void {
  const headers = { ...passableHeaders(reply.headers), ...cors };
  if (reply.headers["content-length"]) headers["content-length"] = reply.headers["content-length"];
  res.writeHead(reply.statusCode ?? 503, headers);
  reply.pipe(res as NodeJS.WritableStream);
}

function answer(res: Response, reply: Reply, { cors = {} }: { cors?: Record<string, string> } = {}): void {
  if (res.headersSent || res.destroyed) return;
  const body = typeof reply.body === "string" ? Buffer.from(reply.body) : reply.body;
  const headers = { ...reply.headers, ...cors, "content-length": String(body.length) };
  res.writeHead(reply.status, headers);
  res.end(body);
}

if (isMainModule(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      backend: { type: "string" },
      limits: { type: "string", default: "on" },
      mappings: { type: "string" },
      kinesis: { type: "string" },
    },
  });
  const endpoint = await startEndpoint({
    port: Number(values.port),
    backendPort: Number(values.backend),
    limits: values.limits !== "off",
    mappingsFile: values.mappings,
    kinesisDir: values.kinesis,
  });
  const stop = () => void endpoint.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
