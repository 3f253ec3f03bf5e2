// The limits layer: a small HTTP server in front of the local emulator that refuses
// what AWS would refuse. MiniStack stores records as fast as it is sent them; AWS
// takes 1,000 records/s per shard. Every client of the local target (the lessons,
// the KCL's Java daemon, the AWS CLI, boto3) talks to this layer on 127.0.0.1:4599,
// and the layer forwards each request unchanged to MiniStack on a port of its own,
// except that it meters PutRecord, PutRecords, GetRecords and GetShardIterator per
// shard (local/shard-limits.ts) and answers a request over the limit itself, with
// the same ProvisionedThroughputExceededException AWS sends.
//
// It speaks HTTP/1.1 and HTTP/2 without TLS (h2c with prior knowledge, as the AWS SDK
// for Java does for http:// endpoints) on the same port. With limits off it still
// counts, and refuses nothing.
//
//   node --import tsx local/limits-layer.ts --port 4599 --backend 45123 [--limits off]
import {
  Agent,
  createServer as createHttpServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import { Duplex } from "node:stream";
import { parseArgs } from "node:util";
import { isMainModule } from "../shared/main-module.js";
import {
  recordBytes,
  shardFor,
  ShardMeters,
  throttledEntry,
  throttledReply,
  type ShardRange,
  type ShardTotals,
} from "./shard-limits.js";

export interface LayerSettings {
  /** Where clients connect (on 127.0.0.1). */
  port: number;
  /** Where MiniStack listens (on 127.0.0.1). */
  backendPort: number;
  /** The backend's host: 127.0.0.1 (MiniStack), or another emulator's when the layer serves as lesson 04's HTTP/2 bridge. */
  backendHost?: string;
  /** false: count, refuse nothing. */
  limits: boolean;
}

/** One shard's counts since the layer started: GET /_workshop/stats. */
export interface ShardStats extends ShardTotals {
  region: string;
  stream: string;
  shardId: string;
  /** The newest record stored in the shard through the layer. */
  lastSequenceNumber?: string;
}

/** A record the layer passed on to MiniStack and saw stored. */
export interface RecentRecord {
  at: number;
  shardId: string;
  partitionKey: string;
  sequenceNumber: string;
  /** The first bytes of its data, as text where they are printable. */
  dataStart: string;
}

/** GET /_workshop/stats: what the layer counted, and the last records of each stream ("region/stream"). */
export interface LayerStats {
  limits: boolean;
  at: number;
  shards: ShardStats[];
  recent: Record<string, RecentRecord[]>;
}

/** What GET /_workshop/layer answers: how the launcher and the banner recognise the layer. */
export interface LayerStatus {
  layer: "workshop-limits";
  limits: boolean;
  backendPort: number;
  backendHealthy: boolean;
  pid: number;
}

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

interface StreamInfo {
  name: string;
  account: string;
  /** Open shards only: where new records go. */
  shards: ShardRange[];
  fetchedAt: number;
}

/** A ListShards reply, as much of it as the layer reads. */
interface ShardsPage {
  Shards?: {
    ShardId: string;
    HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
    SequenceNumberRange?: { EndingSequenceNumber?: string };
  }[];
  NextToken?: string;
}

interface IteratorPlace {
  meterKey: string;
  shardId: string;
  stream: string;
  account: string;
}

/** Operations that change a stream's shards: its map is fetched again after them. */
const RESHAPING = new Set([
  "CreateStream",
  "DeleteStream",
  "UpdateShardCount",
  "SplitShard",
  "MergeShards",
  "UpdateStreamMode",
]);
const METERED = new Set(["PutRecord", "PutRecords", "GetRecords", "GetShardIterator"]);
/** Headers that belong to one hop (and that HTTP/2 forbids). */
const HOP_HEADERS = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "proxy-connection",
  "http2-settings",
  "te",
  "host",
]);
const STREAM_MAP_TTL_MS = 5000;
const RECENT_RECORDS = 50;

/** The first 60 bytes of a record's data: as text when printable, else as hex. */
function preview(base64Data: string | undefined): string {
  const bytes = Buffer.from(base64Data ?? "", "base64").subarray(0, 60);
  const text = bytes.toString("utf8");
  return /^[\x20-\x7e\u00a0-\uffff\t]*$/.test(text) && !text.includes("\ufffd") ? text : `0x${bytes.toString("hex")}`;
}
const MAX_ITERATORS = 100_000;

export function startLimitsLayer(settings: LayerSettings): Promise<{ server: Server; close(): Promise<void> }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const backendHost = settings.backendHost ?? "127.0.0.1";
  const streams = new Map<string, Promise<StreamInfo | undefined>>();
  const meters = new Map<string, ShardMeters>();
  const iterators = new Map<string, IteratorPlace>();
  /** The last records stored, per "region/stream", and each shard's newest sequence number: for npm run view. */
  const recent = new Map<string, RecentRecord[]>();
  const lastSequence = new Map<string, string>();

  const metersFor = (key: string) => {
    let m = meters.get(key);
    if (!m) {
      m = new ShardMeters(settings.limits);
      meters.set(key, m);
    }
    return m;
  };
  const rememberIterator = (iterator: string | undefined, place: IteratorPlace) => {
    if (!iterator) return;
    iterators.set(iterator, place);
    if (iterators.size > MAX_ITERATORS) iterators.delete(iterators.keys().next().value!); // the oldest
  };

  /** Send a request on to MiniStack; resolves with its reply. */
  function forward(req: Request, body: Buffer | undefined): Promise<IncomingMessage> {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || name.startsWith(":") || HOP_HEADERS.has(name)) continue;
      headers[name] = value;
    }
    // MiniStack sees the address its clients used (it builds URLs from it); another emulator, its own.
    headers.host = settings.backendHost
      ? `${settings.backendHost}:${settings.backendPort}`
      : String(req.headers.host ?? req.headers[":authority"] ?? `127.0.0.1:${settings.port}`);
    if (body) {
      headers["content-length"] = String(body.length);
      delete headers["accept-encoding"]; // the layer reads these replies
    }
    return new Promise((resolve, reject) => {
      const upstream = request(
        { host: backendHost, port: settings.backendPort, method: req.method, path: req.url, headers, agent },
        resolve,
      );
      upstream.on("error", reject);
      if (body) upstream.end(body);
      else (req as IncomingMessage).pipe(upstream);
    });
  }

  /** A JSON call of our own to MiniStack (to learn a stream's shards), signed as the client's call was. */
  async function backendCall<T>(
    operation: string,
    input: object,
    authorization: string | undefined,
  ): Promise<T | undefined> {
    const body = Buffer.from(JSON.stringify(input));
    const reply = await new Promise<IncomingMessage>((resolve, reject) => {
      const call = request(
        {
          host: backendHost,
          port: settings.backendPort,
          method: "POST",
          path: "/",
          agent,
          headers: {
            "content-type": "application/x-amz-json-1.1",
            "x-amz-target": `Kinesis_20131202.${operation}`,
            "content-length": String(body.length),
            ...(authorization ? { authorization } : {}),
          },
        },
        resolve,
      );
      call.on("error", reject);
      call.end(body);
    });
    const text = (await readAll(reply)).toString("utf8");
    if (reply.statusCode !== 200) return undefined;
    return JSON.parse(text) as T;
  }

  async function fetchStream(name: string, authorization: string | undefined): Promise<StreamInfo | undefined> {
    const summary = await backendCall<{ StreamDescriptionSummary?: { StreamARN?: string } }>(
      "DescribeStreamSummary",
      { StreamName: name },
      authorization,
    );
    const arn = summary?.StreamDescriptionSummary?.StreamARN;
    if (!arn) return undefined;
    const shards: ShardRange[] = [];
    let page = await backendCall<ShardsPage>("ListShards", { StreamName: name }, authorization);
    for (;;) {
      for (const s of page?.Shards ?? []) {
        if (s.SequenceNumberRange?.EndingSequenceNumber) continue; // closed: takes no new records
        shards.push({
          shardId: s.ShardId,
          startingHashKey: BigInt(s.HashKeyRange.StartingHashKey),
          endingHashKey: BigInt(s.HashKeyRange.EndingHashKey),
        });
      }
      if (!page?.NextToken) break;
      page = await backendCall<ShardsPage>("ListShards", { NextToken: page.NextToken }, authorization);
    }
    return { name, account: arn.split(":")[4] ?? "000000000000", shards, fetchedAt: Date.now() };
  }

  /** The stream's open shards and account, fetched from MiniStack at most every 5 s. */
  async function streamInfo(
    key: string,
    name: string,
    authorization: string | undefined,
  ): Promise<StreamInfo | undefined> {
    const cached = streams.get(key);
    if (cached) {
      const info = await cached;
      if (info && Date.now() - info.fetchedAt < STREAM_MAP_TTL_MS) return info;
      if (streams.get(key) !== cached) return streams.get(key);
    }
    const fresh = fetchStream(name, authorization).catch(() => undefined);
    streams.set(key, fresh);
    const info = await fresh;
    if (!info) streams.delete(key); // not there (yet): ask again next time
    return info;
  }

  async function handle(req: Request, res: Response): Promise<void> {
    if (req.url === "/_workshop/stats")
      return send(res, { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(stats()) });
    if (req.url?.startsWith("/_workshop/")) return status(res);
    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = target.startsWith("Kinesis_20131202.") ? target.slice("Kinesis_20131202.".length) : "";
    const json = String(req.headers["content-type"] ?? "").includes("json");
    if (!json || !(METERED.has(operation) || RESHAPING.has(operation))) {
      // Everything else (DynamoDB, Lambda, IAM, logs, CBOR-encoded Kinesis) passes straight through.
      return relay(await forward(req, undefined), res);
    }

    const body = await readAll(req);
    const input = JSON.parse(body.toString("utf8") || "{}");
    const region =
      /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(req.headers.authorization ?? ""))?.[1] ?? "us-east-1";
    const name: string = input.StreamName ?? String(input.StreamARN ?? "").split(":stream/")[1] ?? "";
    const streamKey = `${region}/${name}`;

    if (RESHAPING.has(operation)) {
      const reply = await forward(req, body);
      streams.delete(streamKey);
      return relay(reply, res);
    }

    if (operation === "GetRecords") {
      const place = iterators.get(input.ShardIterator);
      if (!place) return relay(await forward(req, body), res); // an iterator from before the layer started: not metered
      const shard = metersFor(place.meterKey);
      if (!shard.admitRead()) return send(res, throttledReply(place.shardId, place.stream, place.account));
      const reply = await forward(req, body);
      if (reply.statusCode !== 200) return relay(reply, res);
      const text = await readAll(reply);
      const output = JSON.parse(text.toString("utf8"));
      const records: { Data?: string }[] = output.Records ?? [];
      shard.chargeRead(
        records.length,
        records.reduce((n, r) => n + Buffer.byteLength(r.Data ?? "", "base64"), 0),
      );
      rememberIterator(output.NextShardIterator, place);
      return send(res, { status: 200, headers: pickHeaders(reply.headers), body: text });
    }

    const stream = name ? await streamInfo(streamKey, name, req.headers.authorization) : undefined;
    if (!stream) return relay(await forward(req, body), res); // no such stream: MiniStack says so

    if (operation === "GetShardIterator") {
      const meterKey = `${streamKey}/${input.ShardId}`;
      if (!metersFor(meterKey).admitIterator()) return send(res, throttledReply(input.ShardId, name, stream.account));
      const reply = await forward(req, body);
      if (reply.statusCode !== 200) return relay(reply, res);
      const text = await readAll(reply);
      rememberIterator(JSON.parse(text.toString("utf8")).ShardIterator, {
        meterKey,
        shardId: input.ShardId,
        stream: name,
        account: stream.account,
      });
      return send(res, { status: 200, headers: pickHeaders(reply.headers), body: text });
    }

    if (operation === "PutRecord") {
      const shard = shardFor(stream.shards, input.PartitionKey ?? "", input.ExplicitHashKey);
      if (
        shard &&
        !metersFor(`${streamKey}/${shard.shardId}`).admitWrite(recordBytes(input.Data, input.PartitionKey))
      ) {
        return send(res, throttledReply(shard.shardId, name, stream.account));
      }
      const reply = await forward(req, body);
      if (reply.statusCode !== 200) return relay(reply, res);
      const text = await readAll(reply);
      noteStored(streamKey, [input], [JSON.parse(text.toString("utf8"))]);
      return send(res, { status: 200, headers: pickHeaders(reply.headers), body: text });
    }

    // PutRecords: each entry is admitted or refused on its own shard. The accepted ones go
    // on to MiniStack; the reply puts every result back in its request position.
    const entries: { Data?: string; PartitionKey?: string; ExplicitHashKey?: string }[] = input.Records ?? [];
    const results: object[] = new Array(entries.length);
    const accepted: number[] = [];
    entries.forEach((entry, position) => {
      const shard = shardFor(stream.shards, entry.PartitionKey ?? "", entry.ExplicitHashKey);
      if (!shard || metersFor(`${streamKey}/${shard.shardId}`).admitWrite(recordBytes(entry.Data, entry.PartitionKey)))
        accepted.push(position);
      else results[position] = throttledEntry(shard.shardId, name, stream.account);
    });
    let failed = entries.length - accepted.length;
    let headers: Record<string, string | string[]> = { "content-type": "application/x-amz-json-1.1" };
    if (accepted.length > 0) {
      const onward =
        accepted.length === entries.length
          ? body
          : Buffer.from(JSON.stringify({ ...input, Records: accepted.map((p) => entries[p]) }));
      const reply = await forward(req, onward);
      if (reply.statusCode !== 200) return relay(reply, res);
      const output = JSON.parse((await readAll(reply)).toString("utf8"));
      (output.Records ?? []).forEach((result: object, i: number) => {
        results[accepted[i]!] = result;
      });
      noteStored(
        streamKey,
        accepted.map((p) => entries[p]!),
        output.Records ?? [],
      );
      failed += output.FailedRecordCount ?? 0;
      headers = pickHeaders(reply.headers);
    }
    return send(res, {
      status: 200,
      headers,
      body: JSON.stringify({ FailedRecordCount: failed, Records: results, EncryptionType: "NONE" }),
    });
  }

  /** Remember what was stored: the newest sequence number of each shard, and the last records of each stream. */
  function noteStored(
    streamKey: string,
    entries: { Data?: string; PartitionKey?: string }[],
    results: { ShardId?: string; SequenceNumber?: string; ErrorCode?: string }[],
  ) {
    const kept = recent.get(streamKey) ?? [];
    const at = Date.now();
    // Only the last RECENT_RECORDS of a batch can stay in the list: the others are not previewed.
    const firstKept = Math.max(0, results.length - RECENT_RECORDS);
    results.forEach((result, i) => {
      if (result.ErrorCode || !result.ShardId || !result.SequenceNumber) return;
      lastSequence.set(`${streamKey}/${result.ShardId}`, result.SequenceNumber);
      if (i < firstKept) return;
      const entry = entries[i];
      kept.push({
        at,
        shardId: result.ShardId,
        partitionKey: entry?.PartitionKey ?? "",
        sequenceNumber: result.SequenceNumber,
        dataStart: preview(entry?.Data),
      });
    });
    recent.set(streamKey, kept.slice(-RECENT_RECORDS));
  }

  function stats(): LayerStats {
    const shards = [...meters].map(([key, m]) => {
      const [region = "", stream = "", shardId = ""] = key.split("/");
      return { region, stream, shardId, ...m.totals, lastSequenceNumber: lastSequence.get(key) };
    });
    const recentRecords = Object.fromEntries(recent);
    return { limits: settings.limits, at: Date.now(), shards, recent: recentRecords };
  }

  async function status(res: Response): Promise<void> {
    let backendHealthy = false;
    try {
      const health = await fetch(`http://127.0.0.1:${settings.backendPort}/_ministack/health`, {
        signal: AbortSignal.timeout(1000),
      });
      backendHealthy = health.ok;
    } catch {
      backendHealthy = false;
    }
    const body: LayerStatus = {
      layer: "workshop-limits",
      limits: settings.limits,
      backendPort: settings.backendPort,
      backendHealthy,
      pid: process.pid,
    };
    send(res, { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  }

  const onRequest = (req: Request, res: Response) => {
    handle(req, res).catch((error: Error) => {
      if (res.headersSent) return void res.destroy?.();
      const message = `the local emulator behind the limits layer did not answer (${(error as NodeJS.ErrnoException).code ?? error.message})`;
      send(res, {
        status: 502,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ __type: "ServiceUnavailable", message }),
      });
    });
  };
  const http1 = createHttpServer({ keepAliveTimeout: 60_000 }, onRequest);
  const http2 = createHttp2Server({}, onRequest);
  // One port for both: an HTTP/2 client with prior knowledge opens with "PRI * HTTP/2.0".
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.once("data", (first: Buffer) => {
      socket.pause();
      if (first.subarray(0, 3).toString("latin1") === "PRI") {
        http2.emit("connection", replayingFirst(socket, first));
      } else {
        socket.unshift(first);
        http1.emit("connection", socket);
        socket.resume();
      }
    });
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.port, "127.0.0.1", () =>
      resolve({
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy(); // kept-alive client connections too
            http2.close();
            agent.destroy();
          }),
      }),
    );
  });
}

/**
 * The socket as a stream that starts with the bytes already read from it. (The HTTP/2
 * server reads a net.Socket's handle directly and would miss bytes given back with
 * unshift(); through a plain stream it reads what the stream gives it.)
 */
function replayingFirst(socket: Socket, first: Buffer): Duplex {
  const wrapped = new Duplex({
    read: () => void socket.resume(),
    write: (chunk, encoding, done) => void socket.write(chunk, encoding, done),
    final: (done) => void socket.end(done),
    destroy: (error, done) => {
      socket.destroy(error ?? undefined);
      done(error);
    },
  });
  wrapped.push(first);
  socket.on("data", (chunk: Buffer) => {
    if (!wrapped.push(chunk)) socket.pause();
  });
  socket.on("end", () => wrapped.push(null));
  socket.on("close", () => wrapped.destroy());
  return wrapped;
}

function readAll(stream: Request | IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

function pickHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_HEADERS.has(name) && name !== "content-length") kept[name] = value;
  }
  return kept;
}

/** Pass MiniStack's reply on as it comes. */
function relay(reply: IncomingMessage, res: Response): void {
  const headers = pickHeaders(reply.headers);
  if (reply.headers["content-length"]) headers["content-length"] = reply.headers["content-length"];
  res.writeHead(reply.statusCode ?? 502, headers);
  reply.pipe(res as NodeJS.WritableStream);
}

function send(
  res: Response,
  reply: { status: number; headers: Record<string, string | string[]>; body: string | Buffer },
): void {
  const body = typeof reply.body === "string" ? Buffer.from(reply.body) : reply.body;
  res.writeHead(reply.status, { ...reply.headers, "content-length": String(body.length) });
  res.end(body);
}

if (isMainModule(import.meta.url)) {
  const { values } = parseArgs({
    options: { port: { type: "string" }, backend: { type: "string" }, limits: { type: "string", default: "on" } },
  });
  const layer = await startLimitsLayer({
    port: Number(values.port),
    backendPort: Number(values.backend),
    limits: values.limits !== "off",
  });
  const stop = () => void layer.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
