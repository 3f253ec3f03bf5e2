// Lesson 05's reading of the function's log lines in CloudWatch Logs: following the "seen"
// lines of a run, counting the poison record's deliveries, and --logs.
import { setTimeout as sleep } from "node:timers/promises";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  GetFunctionCommand,
  ResourceNotFoundException as FunctionNotFound,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import { clientFor, pollUntil, RecordTally, say, WorkshopError } from "../shared/index.js";
import { followLogEvents } from "./log-events.js";
import { SEEN_LINES } from "./names.js";
import type { TargetOptions } from "../shared/index.js";
import { resourceNames } from "./names.js";

/**
 * Read the function's log group until the handler has logged a "seen" line for `expected`
 * records of run `runId`; returns which records were seen and each one's put → handler latency.
 */
export async function followSeenLines(
  logs: CloudWatchLogsClient,
  logGroupName: string,
  runId: string,
  expected: number,
  timeoutMs: number,
) {
  const tally = new RecordTally();
  const latencies: number[] = [];
  const newEvents = followLogEvents(logs, logGroupName, {
    startTime: Date.now() - 60_000,
    filterPattern: `"seen ${runId}"`,
  });
  await pollUntil(
    () => `${expected} log lines in ${logGroupName} (seen ${tally.unique})`,
    async () => {
      for (const event of await newEvents()) {
        // On AWS each console.log line is one event; an emulator may store a whole
        // invocation's output as one event, so read every line of it.
        for (const [line, runIdSeen, index, latency] of event.message?.matchAll(SEEN_LINES) ?? []) {
          tally.addPair(runIdSeen!, Number(index));
          latencies.push(Number(latency));
          if (tally.records <= 5) say(`  | ${line}`);
        }
      }
      return tally.unique >= expected ? true : undefined;
    },
    { timeoutMs, intervalMs: 1000 },
  );
  return { tally, latencies };
}

/**
 * --poison: how many times the poison record reached the handler, and in batches of what
 * size (it logs a "cannot process" line each time); then what AWS does with it.
 */
export async function reportPoison(
  logs: CloudWatchLogsClient,
  logGroupName: string,
  runId: string,
  mode: "throw" | "report",
  index: number,
): Promise<number> {
  const batchSizes = async () => {
    const { events = [] } = await logs.send(
      new FilterLogEventsCommand({
        logGroupName,
        startTime: Date.now() - 10 * 60_000,
        filterPattern: `"cannot process ${runId}"`,
      }),
    );
    const pattern = new RegExp(`cannot process ${runId} #\\d+ \\(poison\\), .*?in a batch of (\\d+)`, "g");
    return events.flatMap((e) => [...(e.message ?? "").matchAll(pattern)].map((m) => Number(m[1])));
  };
  // Called once the mapping has given up on the record: read until two readings agree.
  let sizes = await batchSizes();
  for (let waited = 0; waited < 10_000; waited += 1000) {
    await sleep(1000);
    const again = await batchSizes();
    if (again.length === sizes.length && sizes.length > 0) break;
    sizes = again;
  }
  const how = mode === "throw" ? "the handler threw" : "the handler reported it as a batch item failure";
  say(
    `The poison record (#${index}) reached the handler ${sizes.length} time(s), in batches of ${sizes.join(", ")}; each time ${how}.`,
  );
  if (sizes.length <= 1) {
    say("It was not retried: this target counted the failure as success and moved on (AWS would retry it).");
  } else if (mode === "throw") {
    say(
      "Each failed batch was split in two (BisectBatchOnFunctionError) until the poison record was alone; " +
        "that one was retried MaximumRetryAttempts (2) times, then skipped: at least three deliveries, as on AWS. " +
        "Every other record was processed.",
    );
  } else {
    say(
      `Lambda retried it ${sizes.length - 1} time(s), from that record on (the records before it were done), then skipped it: ` +
        "at least three deliveries, as on AWS (bisection is for a batch whose invocation fails).",
    );
  }
  return sizes.length;
}

/** --logs: what the function logged in the last 10 minutes, without deploying anything. */
export async function printRecentLogs(options: TargetOptions) {
  const names = resourceNames(options.stream);
  try {
    await clientFor(LambdaClient, options).send(new GetFunctionCommand({ FunctionName: names.functionName }));
  } catch (error) {
    if (!(error instanceof FunctionNotFound)) throw error;
    throw new WorkshopError(
      `function ${names.functionName} not found on ${options.target}: run lesson 05 first (npx tsx 05-lambda-function/main.ts --stream ${options.stream})`,
    );
  }
  const { events = [] } = await clientFor(CloudWatchLogsClient, options).send(
    new FilterLogEventsCommand({ logGroupName: names.logGroupName, startTime: Date.now() - 10 * 60_000 }),
  );
  for (const event of events) for (const line of (event.message ?? "").trim().split("\n")) say(`  | ${line}`);
  if (events.length === 0) say(`No log lines in ${names.logGroupName} in the last 10 minutes.`);
  return { logGroup: names.logGroupName, events: events.length };
}
