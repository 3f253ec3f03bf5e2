// Lesson 05's reading of the function's log lines in CloudWatch Logs: following the "seen"
// lines of a run, counting the poison record's deliveries, and --logs.
import { setTimeout as sleep } from "node:timers/promises";
import { type CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetFunctionCommand, ResourceNotFoundException as FunctionNotFound } from "@aws-sdk/client-lambda";
import { lambdaClient, logsClient, pollUntil, RecordTally, say, WorkshopError } from "../shared/index.js";
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
 * --poison: how many times the poison record reached the handler (it logs a "cannot
 * process" line each time), waiting up to 10 s for Lambda's retries; then what AWS does.
 */
export async function reportPoison(logs: CloudWatchLogsClient, logGroupName: string, runId: string): Promise<number> {
  const deliveries = async () => {
    const { events = [] } = await logs.send(
      new FilterLogEventsCommand({
        logGroupName,
        startTime: Date.now() - 10 * 60_000,
        filterPattern: `"cannot process ${runId}"`,
      }),
    );
    return events.reduce(
      (n, e) => n + (e.message?.match(new RegExp(`cannot process ${runId} #`, "g"))?.length ?? 0),
      0,
    );
  };
  let seen = await deliveries();
  for (let waited = 0; waited < 10_000 && seen < 3; waited += 1000) {
    await sleep(1000);
    seen = await deliveries();
  }
  say(
    `The poison record (#0) reached the handler ${seen} time(s); each time the handler reported it as a batch item failure.`,
  );
  say(
    seen > 1
      ? `Lambda retried it ${seen - 1} time(s), from that record on, then skipped it.`
      : "It was not retried: this target counted the reported failure as success and moved on (AWS would retry it).",
  );
  say(
    "As AWS documents it: Lambda retries from the reported record on, up to MaximumRetryAttempts (2 here) more times, " +
      "so the poison record arrives at least three times; then it skips it, and an on-failure destination would keep it. " +
      "Bisection (BisectBatchOnFunctionError) is for a batch whose invocation fails: that batch is split in half and retried.",
  );
  return seen;
}

/** --logs: what the function logged in the last 10 minutes, without deploying anything. */
export async function printRecentLogs(options: TargetOptions) {
  const names = resourceNames(options.stream);
  try {
    await lambdaClient(options).send(new GetFunctionCommand({ FunctionName: names.functionName }));
  } catch (error) {
    if (!(error instanceof FunctionNotFound)) throw error;
    throw new WorkshopError(
      `function ${names.functionName} not found on ${options.target}: run lesson 05 first (npx tsx 05-lambda-function/main.ts --stream ${options.stream})`,
    );
  }
  const { events = [] } = await logsClient(options).send(
    new FilterLogEventsCommand({ logGroupName: names.logGroupName, startTime: Date.now() - 10 * 60_000 }),
  );
  for (const event of events) for (const line of (event.message ?? "").trim().split("\n")) say(`  | ${line}`);
  if (events.length === 0) say(`No log lines in ${names.logGroupName} in the last 10 minutes.`);
  return { logGroup: names.logGroupName, events: events.length };
}
