// The AWS SDK's clients, configured for the chosen target. A lesson names the client it
// needs, from the SDK package it imports its commands from: clientFor(KinesisClient, options).
import { Agent as HttpAgent } from "node:http";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { EMULATOR_CREDENTIALS, type TargetOptions } from "./targets.js";

// The SDK warns on every run that releases after January 2027 need Node 22; the workshop
// still runs on Node 20 (see README), so that warning is switched off here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

type Where = Pick<TargetOptions, "target" | "region" | "endpoint" | "debug">;

/** Every client made here, so runLesson() can close their connections at the end. */
const made: { destroy(): void }[] = [];

/** The settings every client gets: region, endpoint, keys, HTTP/1.1 on emulators. */
function clientConfig(options: Where) {
  const onEmulator = options.target !== "aws";
  // local gets dummy keys, and so does localstack unless AWS_ACCESS_KEY_ID is set (some emulators check
  // keys). Otherwise the SDK's default chain finds them: environment, ~/.aws files, SSO, roles.
  const useDummyKeys =
    options.target === "local" || (options.target === "localstack" && !process.env.AWS_ACCESS_KEY_ID);
  return {
    region: options.region || undefined, // "" on aws before prepareTarget(): the SDK looks it up
    endpoint: options.endpoint,
    credentials: useDummyKeys ? EMULATOR_CREDENTIALS : undefined,
    // On aws never let AWS_ENDPOINT_URL or an endpoint_url in ~/.aws/config redirect the calls.
    ignoreConfiguredEndpointUrls: !onEmulator,
    // The Kinesis client speaks HTTP/2 by default; MiniStack and kinesis-local cut larger
    // HTTP/2 replies at 65,535 bytes ("Session closed with error code 1"), so on emulators
    // every client uses HTTP/1.1, with connections kept open between calls.
    requestHandler: onEmulator
      ? new NodeHttpHandler({ httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 64 }) })
      : undefined,
    logger: options.debug ? console : undefined,
  };
}

/** A client of one service (KinesisClient, …) for the target; `maxAttempts: 1` turns the SDK's retries off. */
export function clientFor<C extends { destroy(): void }>(
  Client: new (config: ReturnType<typeof clientConfig> & { maxAttempts?: number }) => C,
  options: Where,
  { maxAttempts }: { maxAttempts?: number } = {},
): C {
  const client = new Client({ ...clientConfig(options), maxAttempts });
  made.push(client);
  return client;
}

/** Close the kept-alive connections of every client made so far, so the process can exit. */
export function closeClients(): void {
  for (const client of made.splice(0)) client.destroy();
}
