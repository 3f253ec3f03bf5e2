// Getting the chosen target ready before a lesson runs, and saying what it is.
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { stsClient } from "./clients.js";
import { WorkshopError, explain, howToStart } from "./errors.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { WORKSHOP_DIR } from "./paths.js";
import type { TargetOptions } from "./options.js";
import { say } from "./output.js";

/**
 * local: start the workshop's emulator if it is not running (local/index.ts). localstack: check the endpoint answers.
 * aws: find the account and region the lesson is about to use (and bill).
 * Prints the banner; fills in options.region on aws.
 */
export async function prepareTarget(options: TargetOptions): Promise<{ account?: string }> {
  if (options.target === "local") {
    // The local target's machinery (local/) is loaded only here, only for the local target.
    const { startLocalTarget } = await import("../local/index.js");
    const emulator = await startLocalTarget(options.endpoint!);
    say(`▶ target local (${emulator}) · region ${options.region} · endpoint ${options.endpoint}`);
    sayWhereToWatch();
    return {};
  }

  if (options.target === "localstack") {
    if (!(await endpointAnswers(options.endpoint!))) {
      throw new WorkshopError(`cannot reach ${options.endpoint} on localstack: ${howToStart("localstack")}`);
    }
    say(`▶ target localstack · region ${options.region} · endpoint ${options.endpoint}`);
    sayWhereToWatch();
    return {};
  }

  const account = await awsAccount(options);
  say(`▶ target aws · account ${account} · region ${options.region}`);
  say(
    "  This runs against your real AWS account and may cost money: see README 'What it costs'; remove everything with: npm run cleanup -- --target aws.",
  );
  sayWhereToWatch();
  return { account };
}

/** Where a running `npm run view` says where it is, so each lesson's banner can point to it. */
export const VIEW_FILE = join(WORKSHOP_DIR, "view.json");

/** The address of the live view running now, if there is one. */
export function runningViewUrl(file = VIEW_FILE): string | undefined {
  try {
    const { port, pid } = JSON.parse(readFileSync(file, "utf8")) as { port: number; pid: number };
    process.kill(pid, 0); // throws when that process is gone
    return `http://127.0.0.1:${port}/`;
  } catch {
    return undefined;
  }
}

/** "watch it live: …" under the banner while npm run view runs. */
function sayWhereToWatch(): void {
  const url = runningViewUrl();
  if (url) say(`  watch it live: ${url}`);
}

/** Does anything answer HTTP at this URL within 3 s? */
export async function endpointAnswers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(3000) });
    return true;
  } catch {
    return false;
  }
}

/**
 * On aws: the region (filled into options from the SDK's lookup when not given) and the
 * account the credentials belong to. One line that says what to do when either is missing.
 */
export async function awsAccount(options: TargetOptions): Promise<string> {
  const sts = stsClient(options);
  try {
    options.region ||= await sts.config.region();
  } catch {
    throw new WorkshopError(
      "no AWS region set: pass --region eu-west-1, set AWS_REGION, or set a region in your profile",
    );
  }
  try {
    const { Account } = await sts.send(new GetCallerIdentityCommand({}));
    return Account!;
  } catch (error) {
    throw explain(error, { target: "aws", stream: "" });
  }
}
