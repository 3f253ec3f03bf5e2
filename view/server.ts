// The live view's web server: the page, its script and styles, the charting library
// (served from node_modules, never a CDN: the page works with no network), and a stream
// of snapshots (server-sent events, one a second).
//
// Safe by construction: it listens on 127.0.0.1 only, answers only requests whose Host is
// 127.0.0.1 or localhost (a page elsewhere cannot reach it through DNS rebinding) and no other origin, sends
// a Content-Security-Policy that allows no inline script, and only ever reads from AWS.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";
import { PROJECT_ROOT } from "../shared/paths.js";
import { foreignRequest } from "../local/accept.js";
import { VIEW_FILE } from "../shared/prepare-target.js";
import type { Snapshot } from "./snapshot.js";

/** The view's default port: next to the local emulator's 4599. */
export const DEFAULT_VIEW_PORT = 4598;

const PAGE_DIR = join(PROJECT_ROOT, "view", "page");
const UPLOT_DIR = join(PROJECT_ROOT, "node_modules", "uplot", "dist");
const FILES: Record<string, { file: string; type: string }> = {
  "/": { file: join(PAGE_DIR, "index.html"), type: "text/html; charset=utf-8" },
  "/view.js": { file: join(PAGE_DIR, "view.js"), type: "text/javascript; charset=utf-8" },
  "/view.css": { file: join(PAGE_DIR, "view.css"), type: "text/css; charset=utf-8" },
  "/vendor/uPlot.iife.min.js": { file: join(UPLOT_DIR, "uPlot.iife.min.js"), type: "text/javascript; charset=utf-8" },
  "/vendor/uPlot.min.css": { file: join(UPLOT_DIR, "uPlot.min.css"), type: "text/css; charset=utf-8" },
};

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

export interface RunningView {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serve the view on 127.0.0.1:port. `snapshot` is asked once a second while a page is
 * open; every open page gets the same snapshot.
 */
export async function startViewServer(
  port: number,
  snapshot: () => Promise<Snapshot>,
  { announce = true } = {},
): Promise<RunningView> {
  const pages = new Set<ServerResponse>();
  let latest: Snapshot | undefined;
  let latestJson = "";

  async function tick(): Promise<void> {
    try {
      latest = await snapshot();
      latestJson = JSON.stringify(latest);
      for (const page of pages) page.write(`data: ${latestJson}\n\n`);
    } catch (error) {
      for (const page of pages)
        page.write(`event: trouble\ndata: ${JSON.stringify(String((error as Error).message ?? error))}\n\n`);
    }
  }
  // Ticks run one after another, never two at once, once a second.
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      await tick();
      await new Promise((resolve) => setTimeout(resolve, Math.max(50, 1000 - (Date.now() - started))));
    }
  })();

  let actualPort = port;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const foreign = foreignRequest(req.headers, actualPort);
    if (foreign) {
      res.writeHead(403, { "content-type": "text/plain; charset=utf-8", ...SECURITY_HEADERS });
      return void res.end(`This view answers only http://127.0.0.1 or http://localhost on its own port: ${foreign}.\n`);
    }
    if (req.method !== "GET") {
      res.writeHead(405, { allow: "GET", ...SECURITY_HEADERS });
      return void res.end();
    }
    const path = (req.url ?? "/").split("?")[0]!;
    if (path === "/events") {
      res.writeHead(200, { "content-type": "text/event-stream", connection: "keep-alive", ...SECURITY_HEADERS });
      if (latestJson) res.write(`data: ${latestJson}\n\n`);
      pages.add(res);
      req.on("close", () => pages.delete(res));
      return;
    }
    if (path === "/snapshot.json") {
      res.writeHead(200, { "content-type": "application/json", ...SECURITY_HEADERS });
      return void res.end(latestJson || "null");
    }
    const file = FILES[path];
    if (!file) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8", ...SECURITY_HEADERS });
      return void res.end("not found\n");
    }
    res.writeHead(200, { "content-type": file.type, ...SECURITY_HEADERS });
    res.end(readFileSync(file.file));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  actualPort = (server.address() as { port: number }).port;
  if (announce) writeFileSync(VIEW_FILE, `${JSON.stringify({ port: actualPort, pid: process.pid })}\n`);

  return {
    url: `http://127.0.0.1:${actualPort}/`,
    port: actualPort,
    async close() {
      running = false;
      for (const page of pages) page.end();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await loop;
      if (announce) rmSync(VIEW_FILE, { force: true });
    },
  };
}
