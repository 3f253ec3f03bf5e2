// npm run view: a live page of the stream, for the projector or a second screen.
//
//   npm run view [-- --port 4598] [--stream NAME] [--target local|localstack|aws]
//
// It serves a page on 127.0.0.1 (never on other addresses) that updates every second:
// the stream's shards and their write rates against AWS's limits, the last records put,
// the readers (GetRecords against 5 a second, KCL leases), Lambda, and the whole class's
// streams. It only reads, and never reads records from the stream. Ctrl-C stops it.
import { say } from "../shared/output.js";
import { defineFlags, wholeNumberFlag } from "../shared/options.js";
import { runScript } from "../shared/run.js";
import { viewClients } from "../view/clients.js";
import { ViewCollector } from "../view/collect.js";
import { DEFAULT_VIEW_PORT, startViewServer } from "../view/server.js";
import type { LayerStats } from "../local/stats.js";

export const view = {
  usage: "npm run view --",
  about:
    "Serve a live page of the stream on 127.0.0.1: shards, rates against AWS's limits, records, readers, Lambda, the class.",
  flags: defineFlags({
    port: wholeNumberFlag("the page's port on 127.0.0.1", { default: DEFAULT_VIEW_PORT, value: "PORT", max: 65535 }),
  }),
};

runScript(import.meta.url, view, async (options) => {
  // On the emulator targets the limits layer (if there is one) counts every request per shard.
  const layerStats = async () => {
    if (!options.endpoint) return undefined;
    const reply = await fetch(`${options.endpoint}/_workshop/stats`, { signal: AbortSignal.timeout(2000) });
    return reply.ok ? ((await reply.json()) as LayerStats) : undefined;
  };
  const collector = new ViewCollector(options, viewClients(options), layerStats);
  const running = await startViewServer(options.port, () => collector.snapshot());
  say(`Live view of stream ${options.stream} on ${options.target}: ${running.url}`);
  say("Open it in a browser (it works offline). Each lesson's banner points to it while it runs. Ctrl-C to stop.");
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await running.close();
  say("Stopped the live view.");
});
