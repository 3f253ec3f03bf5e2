// npm run cleanup: delete everything the workshop created on one target.
//
//   npm run cleanup [-- --target local|localstack|aws] [--stream NAME] [--yes]
//
// What counts as the workshop's: anything tagged workshop=kinesis-lambda, anything named
// after the stream (--stream, default workshop-stream: the stream, STREAM-copies,
// STREAM-handler and its role and log group), and the KCL's tables (workshop-kcl-*: leases, and KCL 3.x's coordinator state and worker metrics),
// which the KCL makes without tags. The name rule covers emulators that drop tags.
//
// It lists what it found first; on aws it asks before deleting (--yes skips). Deletes
// wait until each thing is really gone, so a second run finds nothing.
import { DeleteQueueCommand, GetQueueUrlCommand, ListQueueTagsCommand, paginateListQueues } from "@aws-sdk/client-sqs";
import { SQSClient } from "@aws-sdk/client-sqs";
import { CloudWatchLogsClient, DeleteLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ListTagsForResourceCommand, paginateDescribeLogGroups } from "@aws-sdk/client-cloudwatch-logs";
import { DeleteTableCommand, DynamoDBClient, paginateListTables } from "@aws-sdk/client-dynamodb";
import { waitUntilTableNotExists } from "@aws-sdk/client-dynamodb";
import { DeleteRoleCommand, DeleteRolePolicyCommand, DetachRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { ListRoleTagsCommand, paginateListAttachedRolePolicies } from "@aws-sdk/client-iam";
import { paginateListRolePolicies, paginateListRoles } from "@aws-sdk/client-iam";
import { DeleteStreamCommand, KinesisClient, ListTagsForStreamCommand } from "@aws-sdk/client-kinesis";
import { paginateListStreams, waitUntilStreamNotExists } from "@aws-sdk/client-kinesis";
import {
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  LambdaClient,
  ListTagsCommand,
} from "@aws-sdk/client-lambda";
import { paginateListEventSourceMappings, paginateListFunctions } from "@aws-sdk/client-lambda";
import { resourceNames } from "../05-lambda-function/names.js";
import { clientFor } from "../shared/clients.js";
import { WorkshopError } from "../shared/errors.js";
import { defineFlags, type TargetOptions } from "../shared/options.js";
import { WORKSHOP_TAG } from "../shared/targets.js";
import { askYesNo, printJson, say, terminalPrompt, type Prompt } from "../shared/output.js";
import { runScript } from "../shared/run.js";
import { pollUntil, waiterFor } from "../shared/wait.js";

export const cleanup = {
  usage: "npm run cleanup --",
  about:
    "Find everything the workshop created on the target (tag workshop=kinesis-lambda, or its names), list it, and delete it.",
  flags: defineFlags({
    "dry-run": { type: "boolean", help: "only list what would be deleted" },
  }),
};

/** Lesson 04's KCL tables: named after the application, workshop-kcl-TARGET-STREAM (the leases), plus -CoordinatorState and -WorkerMetricStats. */
export const LEASE_TABLE_PREFIX = "workshop-kcl-";

export type Kind = "event source mapping" | "function" | "role" | "log group" | "queue" | "stream" | "KCL table";
export interface Found {
  kind: Kind;
  /** The name, or the UUID for a mapping. */
  name: string;
}

/** Deleting happens in this order: what uses a thing goes before the thing. */
const ORDER: Kind[] = ["event source mapping", "function", "role", "log group", "queue", "stream", "KCL table"];

/** Does a tag call say workshop=kinesis-lambda? An emulator without the tag API counts as "no". */
async function tagged(read: () => Promise<Record<string, string | undefined>>): Promise<boolean> {
  try {
    return (await read())[WORKSHOP_TAG.key] === WORKSHOP_TAG.value;
  } catch {
    return false;
  }
}

/** IAM and Kinesis list tags as [{Key, Value}]; Lambda and Logs as {key: value}. */
const tagMap = (tags: { Key?: string; Value?: string }[] = []) => Object.fromEntries(tags.map((t) => [t.Key, t.Value]));

/** The five clients cleanup needs, made once for finding and deleting. */
const clientsFor = (options: TargetOptions) => ({
  kinesis: clientFor(KinesisClient, options),
  lambda: clientFor(LambdaClient, options),
  iam: clientFor(IAMClient, options),
  logs: clientFor(CloudWatchLogsClient, options),
  dynamodb: clientFor(DynamoDBClient, options),
  sqs: clientFor(SQSClient, options),
});
type Clients = ReturnType<typeof clientsFor>;

export async function findWorkshopResources(
  options: TargetOptions,
  { kinesis, lambda, iam, logs, dynamodb, sqs }: Clients = clientsFor(options),
): Promise<Found[]> {
  const names = resourceNames(options.stream);
  const found: Found[] = [];

  const streamArns: string[] = [];
  for await (const page of paginateListStreams({ client: kinesis }, {})) {
    for (const summary of page.StreamSummaries ?? []) {
      const name = summary.StreamName!;
      if (summary.StreamStatus === "DELETING") continue;
      const ours =
        name === options.stream ||
        (await tagged(async () =>
          tagMap((await kinesis.send(new ListTagsForStreamCommand({ StreamName: name }))).Tags),
        ));
      if (ours) {
        found.push({ kind: "stream", name });
        streamArns.push(summary.StreamARN!);
      }
    }
  }

  const functionNames: string[] = [];
  for await (const page of paginateListFunctions({ client: lambda }, {})) {
    for (const fn of page.Functions ?? []) {
      const ours =
        fn.FunctionName === names.functionName ||
        (await tagged(async () => (await lambda.send(new ListTagsCommand({ Resource: fn.FunctionArn }))).Tags ?? {}));
      if (ours) functionNames.push(fn.FunctionName!);
    }
  }

  // Mappings of the workshop's functions, and any mapping that reads a workshop stream.
  const mappings = new Set<string>();
  const filters = [
    ...functionNames.map((FunctionName) => ({ FunctionName })),
    ...streamArns.map((EventSourceArn) => ({ EventSourceArn })),
  ];
  for (const filter of filters) {
    for await (const page of paginateListEventSourceMappings({ client: lambda }, filter)) {
      for (const mapping of page.EventSourceMappings ?? [])
        if (mapping.State !== "Deleting") mappings.add(mapping.UUID!);
    }
  }
  found.push(...[...mappings].map((name) => ({ kind: "event source mapping" as const, name })));
  found.push(...functionNames.map((name) => ({ kind: "function" as const, name })));

  for await (const page of paginateListRoles({ client: iam }, {})) {
    for (const role of page.Roles ?? []) {
      const name = role.RoleName!;
      // Only roles named like lesson 05's (or the conformance checks') are asked for their tags: an account can have hundreds.
      const ours =
        name === names.roleName ||
        ((name.endsWith("-handler-role") || name.startsWith("conformance-")) &&
          (await tagged(async () => tagMap((await iam.send(new ListRoleTagsCommand({ RoleName: name }))).Tags))));
      if (ours) found.push({ kind: "role", name });
    }
  }

  for await (const page of paginateDescribeLogGroups({ client: logs }, { logGroupNamePrefix: "/aws/lambda/" })) {
    for (const group of page.logGroups ?? []) {
      const name = group.logGroupName!;
      const arn = group.logGroupArn ?? group.arn?.replace(/:\*$/, "");
      const ours =
        name === names.logGroupName ||
        name.startsWith("/aws/lambda/conformance-") || // made by Lambda for a conformance check's function
        (name.endsWith("-handler") &&
          (await tagged(
            async () => (await logs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? {},
          )));
      if (ours) found.push({ kind: "log group", name });
    }
  }

  // Lesson 05's on-failure queues: STREAM-handler-failures, tagged.
  for await (const page of paginateListQueues({ client: sqs }, {})) {
    for (const QueueUrl of page.QueueUrls ?? []) {
      const name = QueueUrl.split("/").at(-1)!;
      const ours =
        name === names.failureQueueName ||
        (name.endsWith("-handler-failures") &&
          (await tagged(async () => (await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags ?? {})));
      if (ours) found.push({ kind: "queue", name });
    }
  }

  for await (const page of paginateListTables({ client: dynamodb }, {})) {
    for (const name of page.TableNames ?? [])
      if (name.startsWith(LEASE_TABLE_PREFIX)) found.push({ kind: "KCL table", name });
  }

  return found.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
}

/** Delete what was found, in ORDER, waiting until each stream and table is gone. Returns what was deleted. */
export async function deleteResources(
  options: TargetOptions,
  found: Found[],
  { kinesis, lambda, iam, logs, dynamodb, sqs }: Clients = clientsFor(options),
): Promise<Found[]> {
  const deleted: Found[] = [];

  for (const item of found) {
    switch (item.kind) {
      case "event source mapping":
        await lambda.send(new DeleteEventSourceMappingCommand({ UUID: item.name }));
        // On AWS a mapping is "Deleting" for a while; its function can go meanwhile.
        break;
      case "function":
        await lambda.send(new DeleteFunctionCommand({ FunctionName: item.name }));
        break;
      case "role":
        // A role with policies cannot be deleted: inline ones are deleted, managed ones detached.
        for await (const page of paginateListRolePolicies({ client: iam }, { RoleName: item.name })) {
          for (const PolicyName of page.PolicyNames ?? [])
            await iam.send(new DeleteRolePolicyCommand({ RoleName: item.name, PolicyName }));
        }
        for await (const page of paginateListAttachedRolePolicies({ client: iam }, { RoleName: item.name })) {
          for (const policy of page.AttachedPolicies ?? []) {
            await iam.send(new DetachRolePolicyCommand({ RoleName: item.name, PolicyArn: policy.PolicyArn }));
          }
        }
        await iam.send(new DeleteRoleCommand({ RoleName: item.name }));
        break;
      case "log group":
        await logs.send(new DeleteLogGroupCommand({ logGroupName: item.name }));
        break;
      case "queue": {
        const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: item.name }));
        await sqs.send(new DeleteQueueCommand({ QueueUrl }));
        break;
      }
      case "stream":
        await kinesis.send(new DeleteStreamCommand({ StreamName: item.name, EnforceConsumerDeletion: true }));
        await waitUntilStreamNotExists(waiterFor(kinesis, 300), { StreamName: item.name });
        break;
      case "KCL table":
        await dynamodb.send(new DeleteTableCommand({ TableName: item.name }));
        await waitUntilTableNotExists(waiterFor(dynamodb, 300), { TableName: item.name });
        break;
    }
    say(`  deleted ${item.kind} ${item.name}`);
    deleted.push(item);
  }
  // Mappings go asynchronously on AWS: wait until none of the deleted ones is listed any more.
  const mappingIds = new Set(deleted.filter((d) => d.kind === "event source mapping").map((d) => d.name));
  if (mappingIds.size > 0) {
    await pollUntil(
      "the event source mappings to be deleted",
      async () => {
        for await (const page of paginateListEventSourceMappings({ client: lambda }, {})) {
          if ((page.EventSourceMappings ?? []).some((m) => mappingIds.has(m.UUID!))) return undefined;
        }
        return true;
      },
      { timeoutMs: 300_000, intervalMs: 2000 },
    );
  }
  return deleted;
}

export async function runCleanup(options: TargetOptions & { "dry-run": boolean }, prompt: Prompt = terminalPrompt()) {
  const clients = clientsFor(options);
  const found = await findWorkshopResources(options, clients);
  if (found.length === 0) {
    say(`Nothing of the workshop's is left on ${options.target}.`);
    return { found: 0, deleted: [] as Found[] };
  }
  say(`Found ${found.length} workshop resource(s) on ${options.target}:`);
  for (const item of found) say(`  ${item.kind.padEnd(20)} ${item.name}`);
  if (options["dry-run"]) return { found: found.length, deleted: [] as Found[] };

  if (options.target === "aws" && !options.yes) {
    if (!prompt.interactive)
      throw new WorkshopError(
        "nothing was deleted: there is no terminal to ask in; run again with --yes to delete these",
      );
    if (!(await askYesNo(`Delete these ${found.length} resource(s) from your AWS account?`, prompt))) {
      throw new WorkshopError("stopped: nothing was deleted");
    }
  }
  const deleted = await deleteResources(options, found, clients);
  say(`Deleted ${deleted.length} resource(s). Run npm run cleanup again to check that nothing is left.`);
  return { found: found.length, deleted };
}

runScript(import.meta.url, cleanup, async (options) => {
  const result = await runCleanup(options);
  if (options.json) printJson(result);
});
