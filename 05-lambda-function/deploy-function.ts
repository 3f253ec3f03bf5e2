// Lesson 05's function, created the first time and updated after: new code is uploaded
// only when its hash differs, and each update is waited for, since Lambda allows one
// update at a time.
import {
  CreateFunctionCommand,
  ResourceNotFoundException as FunctionNotFound,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  type LambdaClient,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { retryWhile, say, waiterFor, waitingFor, WorkshopError, WORKSHOP_TAGS } from "../shared/index.js";
import { isRolePropagationError } from "./permissions.js";

export interface FunctionSpec {
  FunctionName: string;
  roleArn: string;
  /** The bundled handler (packageLambdaHandler): the zip and its SHA-256, as Lambda reports it. */
  pkg: { zip: Uint8Array; sha256: string };
  Environment: { Variables: Record<string, string> };
  logGroupName: string;
}

/** Create the function, or bring an existing one up to date; says which it did. */
export async function deployFunction(
  lambda: LambdaClient,
  spec: FunctionSpec,
): Promise<{ functionArn: string; deployed: "created" | "updated" | "unchanged" }> {
  const { FunctionName, roleArn, pkg, Environment } = spec;
  try {
    const { Configuration: current } = await lambda.send(new GetFunctionCommand({ FunctionName }));
    let deployed: "updated" | "unchanged" = "unchanged";
    if (current!.CodeSha256 !== pkg.sha256) {
      // New code: upload it, then wait until Lambda has finished switching to it.
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName, ZipFile: pkg.zip }));
      await waitingFor("the new code to be live", waitUntilFunctionUpdatedV2(waiterFor(lambda), { FunctionName }));
      deployed = "updated";
    }
    // Configuration is a separate update, and only one update may run at a time.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName, Environment, Role: roleArn }));
    await waitingFor("the configuration to be live", waitUntilFunctionUpdatedV2(waiterFor(lambda), { FunctionName }));
    return { functionArn: current!.FunctionArn!, deployed };
  } catch (error) {
    if (!(error instanceof FunctionNotFound)) throw error;
  }
  // A role just created takes a few seconds to reach Lambda everywhere: until then
  // CreateFunction says the role "cannot be assumed by Lambda". Try again.
  const created = await retryWhile(
    isRolePropagationError,
    () =>
      lambda.send(
        new CreateFunctionCommand({
          FunctionName,
          Runtime: "nodejs24.x", // nodejs22.x is deprecated on 2027-04-30
          Handler: "index.handler",
          Role: roleArn,
          Code: { ZipFile: pkg.zip },
          Timeout: 30,
          MemorySize: 256,
          Environment,
          LoggingConfig: { LogFormat: "Text", LogGroup: spec.logGroupName },
          Tags: WORKSHOP_TAGS,
        }),
      ),
    { onRetry: () => say("  (the new role is not visible to Lambda yet: trying again in 3 s)") },
  );
  try {
    await waitingFor(`${FunctionName} to be Active`, waitUntilFunctionActiveV2(waiterFor(lambda), { FunctionName }));
  } catch (error) {
    // The waiter's error is a 2 KB dump of the function (a presigned code URL in it): say why in one line.
    const { State, StateReason } = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName }));
    if (State !== "Failed") throw error;
    throw new WorkshopError(
      `function ${FunctionName} could not start (State Failed): ${StateReason ?? "no reason given"} — ` +
        "on an emulator, Lambda may need Docker (LocalStack does); the local target needs none",
    );
  }
  return { functionArn: created.FunctionArn!, deployed: "created" };
}
