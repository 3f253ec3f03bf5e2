// The local endpoint's front door: one port on 127.0.0.1 for HTTP/1.1 and for HTTP/2
// without TLS (h2c with prior knowledge, as the AWS SDK for Java speaks to an http://
// endpoint). A connection's first bytes tell which: HTTP/2 opens with "PRI * HTTP/2.0".
// It also keeps the clocks Node cannot keep for sockets handed to a server: a connection
// that says nothing, trickles its headers, or sends an HTTP/2 preface and nothing more is closed.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type RequestListener,
  type ServerResponse,
} from "node:http";
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import { Duplex } from "node:stream";

/** How long a client may take to send its headers, and then its whole request; how long an idle connection is kept. */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 60_000;
const KEEP_ALIVE_MS = 5_000;

type OnRequest = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => void;

/** Listen on 127.0.0.1:port for both protocols; `onClose` runs when the server is closed. */
export function listenForBoth(
  port: number,
  onRequest: OnRequest,
  onClose: () => void,
): Promise<{ server: Server; close(): Promise<void> }> {
  const http1 = createHttpServer(
    {
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      keepAliveTimeout: KEEP_ALIVE_MS,
      connectionsCheckingInterval: 1_000,
    },
    onRequest as RequestListener,
  );
  http1.setTimeout(REQUEST_TIMEOUT_MS); // an idle socket is closed
  // Node enforces headersTimeout only on a server that listens itself, and these sockets are
  // handed to it: the endpoint keeps its own clock. A connection must finish a request's
  // headers within 15 s of falling idle (5 s of keep-alive, then 10 s to send them), however
  // slowly it trickles them in, or it is closed.
  const headerClocks = new WeakMap<Socket, { arm(): void; disarm(): void }>();
  const watchHeaders = (socket: Socket) => {
    let timer: NodeJS.Timeout | undefined;
    const disarm = () => clearTimeout(timer);
    const arm = () => {
      disarm();
      timer = setTimeout(() => socket.destroy(), KEEP_ALIVE_MS + HEADERS_TIMEOUT_MS);
    };
    socket.once("close", disarm);
    headerClocks.set(socket, { arm, disarm });
    arm();
  };
  http1.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const clock = headerClocks.get(req.socket as Socket);
    clock?.disarm();
    res.once("close", () => clock?.arm());
  });
  const http2 = createHttp2Server({}, onRequest);
  // (HTTP/2 connections are timed on their raw socket: see the front below.)
  http2.on("stream", (stream) =>
    (stream.session?.socket as { firstRequest?: () => void } | undefined)?.firstRequest?.(),
  );

  // One port for both: an HTTP/2 client with prior knowledge opens with "PRI * HTTP/2.0".
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.setTimeout(HEADERS_TIMEOUT_MS, () => socket.destroy()); // a connection that says nothing
    socket.once("data", (first: Buffer) => {
      socket.setTimeout(0);
      socket.pause();
      if (first.subarray(0, 3).toString("latin1") === "PRI") {
        // An HTTP/2 connection must send a request within 15 s, and is closed after 60 s of silence.
        const noRequest = setTimeout(() => socket.destroy(), KEEP_ALIVE_MS + HEADERS_TIMEOUT_MS);
        socket.once("close", () => clearTimeout(noRequest));
        socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
        const wrapped = Object.assign(replayingFirst(socket, first), { firstRequest: () => clearTimeout(noRequest) });
        http2.emit("connection", wrapped);
      } else {
        socket.unshift(first);
        watchHeaders(socket);
        http1.emit("connection", socket);
        socket.resume();
      }
    });
  });
  server.maxConnections = 2048;

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () =>
      resolve({
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy(); // kept-alive client connections too
            http2.close();
            http1.close();
            onClose();
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
