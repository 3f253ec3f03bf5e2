// Getting the chosen target ready before a lesson runs, and saying what it is.
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { stsClient } from "./clients.js";
import { WorkshopError, explain, howToStart } from "./errors.js";
import { defaultEmulatorPaths, findRunningEmulator, MINISTACK_VERSION, startEmulator } from "./emulator.js";
import { localPort, type TargetOptions } from "./options.js";
import { say } from "./output.js";

/**
 * local: start MiniStack if it is not running. localstack: check the endpoint answers.
 * aws: find the account and region the lesson is about to use (and bill).
 * Prints the banner; fills in options.region on aws.
 */
export async function prepareTarget(options: TargetOptions): Promise<{ account?: string }> {
  if (options.target === "local") {
    if (options.endpoint === `http://127.0.0.1:${localPort()}`) {
      // The workshop's own emulator: installed and started on first use.
      await startEmulator(defaultEmulatorPaths());
    } else if (!(await findRunningEmulator(Number(new URL(options.endpoint!).port)))) {
      // An emulator named with --endpoint is used, never started: it must already run.
      throw new WorkshopError(`cannot reach ${options.endpoint} on local: start that emulator, or leave out --endpoint to use the workshop's`);
    }
    say(`▶ target local (MiniStack ${MINISTACK_VERSION}) · region ${options.region} · endpoint ${options.endpoint}`);
    return {};
  }

  if (options.target === "localstack") {
    try {
      await fetch(options.endpoint!, { signal: AbortSignal.timeout(3000) });
    } catch {
      throw new WorkshopError(`cannot reach ${options.endpoint} on localstack: ${howToStart("localstack")}`);
    }
    say(`▶ target localstack · region ${options.region} · endpoint ${options.endpoint}`);
    return {};
  }

  const sts = stsClient(options);
  let account: string | undefined;
  try {
    options.region ||= await sts.config.region();
  } catch {
    throw new WorkshopError("no AWS region set: pass --region eu-west-1, set AWS_REGION, or set a region in your profile");
  }
  try {
    ({ Account: account } = await sts.send(new GetCallerIdentityCommand({})));
  } catch (error) {
    throw explain(error, { target: "aws", stream: "" });
  }
  say(`▶ target aws · account ${account} · region ${options.region}`);
  say("  This runs against your real AWS account and may cost money: see README 'What it costs'; remove everything with: npm run cleanup -- --target aws.");
  return { account };
}
