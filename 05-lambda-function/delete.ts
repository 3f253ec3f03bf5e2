// Lesson 05's --delete: everything the lesson made, in the order that lets each go.
import {
  DeleteLogGroupCommand,
  ResourceNotFoundException as LogGroupNotFound,
  CloudWatchLogsClient,
} from "@aws-sdk/client-cloudwatch-logs";
import { DeleteRoleCommand, DeleteRolePolicyCommand, NoSuchEntityException, IAMClient } from "@aws-sdk/client-iam";
import {
  DeleteStreamCommand,
  ResourceNotFoundException as StreamNotFound,
  KinesisClient,
} from "@aws-sdk/client-kinesis";
import {
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  GetFunctionConfigurationCommand,
  ListTagsCommand,
  ListEventSourceMappingsCommand,
  ResourceNotFoundException as FunctionNotFound,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import { DeleteQueueCommand, GetQueueUrlCommand, QueueDoesNotExist, SQSClient } from "@aws-sdk/client-sqs";
import { clientFor, say } from "../shared/index.js";
import type { TargetOptions } from "../shared/index.js";
import { COPY_TO_TAG, resourceNames } from "./names.js";

/** --delete: the mapping, the function, the role and its policy, the log group, the failure queue, the copies stream. */
export async function deleteEverything(options: TargetOptions) {
  const kinesis = clientFor(KinesisClient, options);
  const iam = clientFor(IAMClient, options);
  const lambda = clientFor(LambdaClient, options);
  const logs = clientFor(CloudWatchLogsClient, options);
  const names = resourceNames(options.stream);
  const deleted: string[] = [];
  const ignoreMissing =
    (...kinds: (abstract new (...args: never[]) => unknown)[]) =>
    (error: unknown) => {
      if (!kinds.some((kind) => error instanceof kind)) throw error;
    };

  // The copies stream (--copy-to) is named in a tag on the function: read it before the function goes.
  const copiesStream = await lambda
    .send(new GetFunctionConfigurationCommand({ FunctionName: names.functionName }))
    .then(
      async ({ FunctionArn }) =>
        (await lambda.send(new ListTagsCommand({ Resource: FunctionArn }))).Tags?.[COPY_TO_TAG],
    )
    .catch(ignoreMissing(FunctionNotFound));

  const { EventSourceMappings = [] } = await lambda
    .send(new ListEventSourceMappingsCommand({ FunctionName: names.functionName }))
    .catch(() => ({ EventSourceMappings: [] }));
  for (const mapping of EventSourceMappings) {
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: mapping.UUID }));
    deleted.push(`event source mapping ${mapping.UUID}`);
  }
  await lambda
    .send(new DeleteFunctionCommand({ FunctionName: names.functionName }))
    .then(() => deleted.push(`function ${names.functionName}`), ignoreMissing(FunctionNotFound));
  await iam
    .send(new DeleteRolePolicyCommand({ RoleName: names.roleName, PolicyName: names.policyName }))
    .catch(ignoreMissing(NoSuchEntityException));
  await iam
    .send(new DeleteRoleCommand({ RoleName: names.roleName }))
    .then(() => deleted.push(`role ${names.roleName}`), ignoreMissing(NoSuchEntityException));
  await logs
    .send(new DeleteLogGroupCommand({ logGroupName: names.logGroupName }))
    .then(() => deleted.push(`log group ${names.logGroupName}`), ignoreMissing(LogGroupNotFound));
  const sqs = clientFor(SQSClient, options);
  await sqs
    .send(new GetQueueUrlCommand({ QueueName: names.failureQueueName }))
    .then(({ QueueUrl }) => sqs.send(new DeleteQueueCommand({ QueueUrl })))
    .then(() => deleted.push(`queue ${names.failureQueueName}`), ignoreMissing(QueueDoesNotExist));
  if (copiesStream)
    await kinesis
      .send(new DeleteStreamCommand({ StreamName: copiesStream, EnforceConsumerDeletion: true }))
      .then(() => deleted.push(`stream ${copiesStream}`), ignoreMissing(StreamNotFound));

  say(deleted.length ? `Deleted: ${deleted.join(", ")}.` : "Nothing of lesson 05 was left to delete.");
  return { deleted };
}
