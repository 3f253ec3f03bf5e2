// Servers the workshop starts on a student's laptop (the local endpoint, the live view)
// answer their own address only. A web page the student has
// open elsewhere must not be able to drive them: not through DNS rebinding (a foreign
// Host), not with fetch() or a form (the browser adds Origin and Sec-Fetch-Site).
import type { IncomingHttpHeaders } from "node:http";

/** Is this Host header ours: 127.0.0.1 or localhost, on our port? */
export function hostAllowed(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** Origins a student allowed for a browser tool of their own: WORKSHOP_ALLOW_ORIGINS, comma separated. */
export function allowedOrigins(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.WORKSHOP_ALLOW_ORIGINS ?? "")
    .split(",")
    .map((origin) => origin.trim().replace(/\/+$/, ""))
    .filter(Boolean);
}

/**
 * Why a request is refused (403), or undefined when it comes from this machine's own
 * clients: the Host must be ours, and a browser request (it carries Origin, or a
 * Sec-Fetch-Site other than same-origin or none) must come from an allowed origin.
 */
export function foreignRequest(headers: IncomingHttpHeaders, port: number, allowed: string[] = []): string | undefined {
  const host = String(headers[":authority"] ?? headers.host ?? "");
  if (headers[":authority"] !== undefined && headers.host !== undefined && headers.host !== headers[":authority"]) {
    return "an HTTP/2 request whose :authority and Host headers disagree";
  }
  if (!hostAllowed(host, port)) {
    return `this server answers only Host 127.0.0.1:${port} or localhost:${port}, not '${host.slice(0, 100)}'`;
  }
  const origin = headers.origin;
  if (origin !== undefined) {
    if (origin === `http://${host}` || allowed.includes(String(origin))) return undefined; // the same origin, or allowed
    return `requests from web pages are refused (Origin ${String(origin).slice(0, 100)}); to allow a browser tool of yours, set WORKSHOP_ALLOW_ORIGINS=${String(origin).slice(0, 100)}`;
  }
  const site = headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") {
    return `requests from web pages are refused (Sec-Fetch-Site ${String(site).slice(0, 20)})`;
  }
  return undefined;
}
