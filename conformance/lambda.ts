// Lesson 05's behaviours that are Lambda's and IAM's: the role, the runtime, the logs.
import { setTimeout as sleep } from "node:timers/promises";
import { FilterLogEventsCommand, DeleteLogGroupCommand, CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRoleCommand, DeleteRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  InvokeCommand,
  waitUntilFunctionActiveV2,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import { zipSync } from "fflate";
import { clientFor } from "../shared/clients.js";
import { WORKSHOP_TAGS } from "../shared/targets.js";
import { retryWhile, waiterFor } from "../shared/wait.js";
import { type Check, type CheckContext, errorOf, expect } from "./check.js";

const LAMBDA = "AWS Lambda Developer Guide";

const trust = (service: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  });

/** A role that `service` may assume, deleted after the check. */
export async function role(ctx: CheckContext, what: string, service = "lambda.amazonaws.com"): Promise<string> {
  const iam = clientFor(IAMClient, ctx.options);
  const RoleName = ctx.name(what);
  const Tags = [{ Key: "workshop", Value: WORKSHOP_TAGS.workshop }];
  const { Role } = await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust(service), Tags }));
  ctx.cleanup(() => iam.send(new DeleteRoleCommand({ RoleName })));
  return Role!.Arn!;
}

/** A nodejs24.x function running `code` (its index.js), deleted after the check with its log group. */
export async function deploy(
  ctx: CheckContext,
  what: string,
  code: string,
  roleArn: string,
  Variables: Record<string, string> = {},
) {
  const lambda = clientFor(LambdaClient, ctx.options);
  const FunctionName = ctx.name(what);
  const create = () =>
    lambda.send(
      new CreateFunctionCommand({
        FunctionName,
        Runtime: "nodejs24.x",
        Handler: "index.handler",
        Role: roleArn,
        Code: { ZipFile: zipSync({ "index.js": Buffer.from(code) }) },
        Environment: { Variables },
        Tags: WORKSHOP_TAGS,
      }),
    );
  // A new role takes a few seconds to reach Lambda on AWS ("cannot be assumed by Lambda" until then).
  await retryWhile((e) => /cannot be assumed/i.test((e as Error).message), create, { tries: 10, delayMs: 2000 });
  ctx.cleanup(() => lambda.send(new DeleteFunctionCommand({ FunctionName })));
  ctx.cleanup(() =>
    clientFor(CloudWatchLogsClient, ctx.options).send(
      new DeleteLogGroupCommand({ logGroupName: `/aws/lambda/${FunctionName}` }),
    ),
  );
  await waitUntilFunctionActiveV2(waiterFor(lambda, 60), { FunctionName });
  return { lambda, FunctionName };
}

export const LAMBDA_CHECKS: Check[] = [
  {
    id: "lambda.trust-policy",
    group: "lambda",
    lesson: "05",
    aws: "a function's role must trust lambda.amazonaws.com: a role only EC2 may assume is refused",
    source: `${LAMBDA}, "Defining Lambda function permissions with an execution role": the trust policy names lambda.amazonaws.com`,
    async run(ctx) {
      const ec2Only = await role(ctx, "ec2-role", "ec2.amazonaws.com");
      const lambda = clientFor(LambdaClient, ctx.options);
      const FunctionName = ctx.name("wrong-role");
      const error = await errorOf(
        lambda.send(
          new CreateFunctionCommand({
            FunctionName,
            Runtime: "nodejs24.x",
            Handler: "index.handler",
            Role: ec2Only,
            Code: { ZipFile: zipSync({ "index.js": Buffer.from("exports.handler = async () => 1;") }) },
          }),
        ),
      );
      if (!error) ctx.cleanup(() => lambda.send(new DeleteFunctionCommand({ FunctionName })));
      const refused = error?.name === "InvalidParameterValueException";
      return expect(refused, error ? `${error.name}: ${error.message.slice(0, 80)}` : "accepted");
    },
  },
  {
    id: "lambda.runtime",
    group: "lambda",
    lesson: "05",
    aws: "a nodejs24.x function runs on Node.js 24",
    source: `${LAMBDA}, "Lambda runtimes": nodejs24.x is Node.js 24`,
    async run(ctx) {
      const { lambda, FunctionName } = await deploy(
        ctx,
        "runtime",
        "exports.handler = async () => process.version;",
        await role(ctx, "runtime-role"),
      );
      const { Payload } = await lambda.send(new InvokeCommand({ FunctionName }));
      const version = JSON.parse(Buffer.from(Payload ?? []).toString() || '""') as string;
      return expect(version.startsWith("v24."), `Node.js ${version}`);
    },
  },
  {
    id: "lambda.log-lines",
    group: "lambda",
    lesson: "05",
    aws: "each console.log line is its own CloudWatch Logs event",
    source: `${LAMBDA}, "Log and monitor Node.js Lambda functions": each line the function writes is a log event`,
    async run(ctx) {
      const { lambda, FunctionName } = await deploy(
        ctx,
        "logs",
        'exports.handler = async () => { console.log("one"); console.log("two"); console.log("three"); };',
        await role(ctx, "logs-role"),
      );
      await lambda.send(new InvokeCommand({ FunctionName }));
      const logs = clientFor(CloudWatchLogsClient, ctx.options);
      let lines: string[] = [];
      for (let waited = 0; waited < 20_000 && lines.length === 0; waited += 1000) {
        // Log delivery takes seconds on AWS.
        const { events = [] } = await logs
          .send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${FunctionName}`, filterPattern: '"one"' }))
          .catch(() => ({ events: [] }));
        lines = events.map((e) => e.message ?? "");
        if (lines.length === 0) await sleep(1000);
      }
      const alone = lines.length > 0 && lines.every((m) => !/two|three/.test(m));
      return expect(
        alone,
        lines.length ? `"one" arrived ${alone ? "alone" : "in one event with the other lines"}` : "no log event",
      );
    },
  },
];
