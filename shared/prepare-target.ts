// Getting the chosen target ready before a lesson runs, and saying what it is: the banner.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { clientFor } from "./clients.js";
import { WorkshopError, explain, howToStart } from "./errors.js";
import type { TargetOptions } from "./options.js";
import { say, waitingFor } from "./output.js";
import { WORKSHOP_DIR } from "./paths.js";

/** local: start the emulator if it is not running. localstack: check it answers. aws: find the account and region. */
export async function prepareTarget(options: TargetOptions): Promise<void> {
  const { target, region, endpoint } = options;
  if (target === "local") {
    // The local target's machinery (local/) is loaded only here, only for the local target.
    const { startLocalTarget } = await import("../local/index.js");
    say(`▶ target local (${await startLocalTarget(endpoint!)}) · region ${region} · endpoint ${endpoint}`);
  } else if (target === "localstack") {
    if (!(await endpointAnswers(endpoint!)))
      throw new WorkshopError(`cannot reach ${endpoint} on localstack: ${howToStart("localstack")}`);
    say(`▶ target localstack · region ${region} · endpoint ${endpoint}`);
  } else {
    say(`▶ target aws · account ${await awsAccount(options)} · region ${options.region}`);
    say(
      "  This runs against your real AWS account and may cost money: see README 'What it costs'; remove everything with: npm run cleanup -- --target aws.",
    );
  }
  const view = runningViewUrl();
  if (view) say(`  watch it live: ${view}`);
}

/** Where a running `npm run view` says where it is, so each lesson's banner can point to it. */
export const VIEW_FILE = join(WORKSHOP_DIR, "view.json");

export function runningViewUrl(file = VIEW_FILE): string | undefined {
  try {
    const { port, pid } = JSON.parse(readFileSync(file, "utf8")) as { port: number; pid: number };
    process.kill(pid, 0); // throws when that process is gone
    return `http://127.0.0.1:${port}/`;
  } catch {
    return undefined;
  }
}

/**
 * Does anything answer HTTP at this URL? A refused connection is a no at once. One that is
 * taken but not answered within 3 s is an endpoint still warming up (a LocalStack that has
 * just said "Ready." can take longer for its first request): it gets `patienceMs` more.
 */
export async function endpointAnswers(url: string, patienceMs = 30_000, firstMs = 3000): Promise<boolean> {
  // "answers", or the error's name: "TimeoutError" when taken but not answered in time
  const ask = (ms: number) =>
    fetch(url, { signal: AbortSignal.timeout(ms) })
      .then(() => "answers")
      .catch((error: Error) => error.name);
  const first = await ask(firstMs);
  if (first !== "TimeoutError") return first === "answers";
  return (await waitingFor(`${url}: reached, but slow to answer`, ask(patienceMs))) === "answers";
}

/** On aws: the account the credentials belong to. Fills in options.region from the SDK's lookup when not given. */
export async function awsAccount(options: TargetOptions): Promise<string> {
  const { GetCallerIdentityCommand, STSClient } = await import("@aws-sdk/client-sts"); // aws only: loaded here
  const sts = clientFor(STSClient, options);
  try {
    options.region ||= await sts.config.region();
  } catch {
    throw new WorkshopError(
      "no AWS region set: pass --region eu-west-1, set AWS_REGION, or set a region in your profile",
    );
  }
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Account!;
  } catch (error) {
    throw explain(error, { target: "aws", stream: "" });
  }
}
