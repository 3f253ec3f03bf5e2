// Lesson 05: hand the consumer to AWS. A Lambda function, fed by the stream.
//
//   npx tsx 05-lambda-function/main.ts [--count 100] [--copy-to STREAM] [--poison throw|report] [--logs] [--delete]
//
// No poller of ours and no daemon: Lambda's event source mapping reads the shards,
// calls our function with batches of records, keeps the position, and retries.
// We deploy the function (code + IAM role), connect it to the stream, put records,
// and read the function's log lines back from CloudWatch Logs. Beside this file:
// handler.ts (the function), permissions.ts (its role), deploy-function.ts (create or
// update it), logs.ts (reading its log lines), failures.ts (the on-failure queue),
// copies.ts and delete.ts.
import { CloudWatchLogsClient, CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { PutRetentionPolicyCommand, ResourceAlreadyExistsException } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRoleCommand, EntityAlreadyExistsException, GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { DescribeStreamSummaryCommand, KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import type { PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { CreateEventSourceMappingCommand, GetEventSourceMappingCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import { LambdaClient, ListEventSourceMappingsCommand, TagResourceCommand } from "@aws-sdk/client-lambda";
import { UpdateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { SQSClient } from "@aws-sdk/client-sqs";
import { clientFor, confirmBillable, defineFlags, encodeRecord, newRunId, oneOf } from "../shared/index.js";
import { percentiles, pollUntil, resendRefused, retryWhile, runLesson, say, streamCost } from "../shared/index.js";
import { toBatches, wholeNumberFlag, WorkshopError, WORKSHOP_TAGS, type LessonOptions } from "../shared/index.js";
import { packageLambdaHandler } from "./bundle.js";
import { deleteEverything } from "./delete.js";
import { deployFunction } from "./deploy-function.js";
import { ensureCopiesStream, waitForCopies } from "./copies.js";
import { ensureFailureQueue, explainMissing, receiveFailures, sayFailures } from "./failures.js";
import { POISON } from "./handler.js";
import { followSeenLines, printRecentLogs, reportPoison } from "./logs.js";
import { COPY_TO_TAG, resourceNames, type Summary } from "./names.js";
import { isRolePropagationError, rolePolicy, TRUST_POLICY } from "./permissions.js";
import { invokeFailure, sampleEvent } from "./test-invoke.js";

export async function main(options: Options): Promise<Summary> {
  // Two short errands of their own (delete.ts, logs.ts); everything below deploys.
  if (options.delete) return deleteEverything(options);
  if (options.logs) return printRecentLogs(options);

  const kinesis = clientFor(KinesisClient, options);
  const iam = clientFor(IAMClient, options);
  const lambda = clientFor(LambdaClient, options);
  const logs = clientFor(CloudWatchLogsClient, options);
  const sqs = clientFor(SQSClient, options);
  const names = resourceNames(options.stream);
  const copyTo = options["copy-to"];
  const FunctionName = names.functionName;
  const timeoutMs = options.timeout * 1000;

  // 1. The stream from lesson 01 (and, with --copy-to, a second stream for the copies).
  const { StreamDescriptionSummary: stream } = await kinesis.send(
    new DescribeStreamSummaryCommand({ StreamName: options.stream }),
  );
  const streamArn = stream!.StreamARN!;
  const [, , , region, account] = streamArn.split(":");

  // Lambda and CloudWatch Logs bill per use; a copies stream bills per hour (asks once on aws).
  await confirmBillable(options, [
    {
      what: `Lambda function ${FunctionName} and its event source mapping`,
      cost: "$0.20 per million invocations plus $0.0000167 per GB-second; the monthly free tier covers this lesson",
    },
    { what: `log group ${names.logGroupName}, kept 1 day`, cost: "$0.50 per GB of log lines written" },
    { what: `SQS queue ${names.failureQueueName}`, cost: "$0.40 per million requests; nothing while it is idle" },
    ...(copyTo ? [{ what: `stream ${copyTo} with 1 provisioned shard`, cost: streamCost(1) }] : []),
  ]);
  const copiesArn = copyTo ? await ensureCopiesStream(kinesis, streamArn, copyTo) : undefined;
  // Where the mapping sends a note of each batch it gives up on (failures.ts).
  const failureQueue = await ensureFailureQueue(sqs, names.failureQueueName);

  // 2. The role the function runs as: who may assume it (Lambda), and what it may do (permissions.ts).
  let roleArn: string;
  try {
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: names.roleName,
        AssumeRolePolicyDocument: JSON.stringify(TRUST_POLICY),
        Description: "Lesson 05 of the Kinesis + Lambda workshop",
        Tags: [{ Key: "workshop", Value: WORKSHOP_TAGS.workshop }],
      }),
    );
    roleArn = Role!.Arn!;
    say(`Created role ${names.roleName}.`);
  } catch (error) {
    if (!(error instanceof EntityAlreadyExistsException)) throw error;
    roleArn = (await iam.send(new GetRoleCommand({ RoleName: names.roleName }))).Role!.Arn!;
  }
  const logGroupArn = `arn:aws:logs:${region}:${account}:log-group:${names.logGroupName}`;
  // What the function may do: read the stream, write its logs, send to the queue (and write the copies).
  const allowed = { stream: streamArn, logGroup: logGroupArn, failureQueue: failureQueue.arn, copiesStream: copiesArn };
  const PolicyDocument = JSON.stringify(rolePolicy(allowed));
  await iam.send(new PutRolePolicyCommand({ RoleName: names.roleName, PolicyName: names.policyName, PolicyDocument }));

  // The log group, made by us so it has a retention period (Lambda would make one that keeps logs forever).
  try {
    await logs.send(new CreateLogGroupCommand({ logGroupName: names.logGroupName, tags: WORKSHOP_TAGS }));
  } catch (error) {
    if (!(error instanceof ResourceAlreadyExistsException)) throw error;
  }
  await logs.send(new PutRetentionPolicyCommand({ logGroupName: names.logGroupName, retentionInDays: 1 }));

  // 3. The function: handler.ts bundled by esbuild into one index.js, zipped, then
  //    created or updated (deploy-function.ts: CreateFunction, UpdateFunctionCode, waiters).
  const pkg = await packageLambdaHandler(new URL("./handler.ts", import.meta.url));
  // Its settings, read by handler.ts: where to copy records (--copy-to), and how to fail on the poison record.
  const Variables: Record<string, string> = {};
  if (copyTo) Variables.COPY_TO_STREAM = copyTo;
  if (options.poison) Variables.POISON_MODE = options.poison;
  const { logGroupName } = names;
  const spec = { FunctionName, roleArn, pkg, Environment: { Variables }, logGroupName };
  const { functionArn, deployed } = await deployFunction(lambda, spec);
  say(`Function ${FunctionName} ${deployed} (${(pkg.zip.byteLength / 1024).toFixed(0)} KiB zip, nodejs24.x).`);
  // A tag on the function remembers its copies stream, so --delete finds it even after a deploy without --copy-to.
  if (copyTo) await lambda.send(new TagResourceCommand({ Resource: functionArn, Tags: { [COPY_TO_TAG]: copyTo } }));

  // 4. The event source mapping: Lambda's own poller for the stream, one per function and stream.
  const { EventSourceMappings: existing = [] } = await lambda.send(
    new ListEventSourceMappingsCommand({ FunctionName, EventSourceArn: streamArn }),
  );
  const onFailure = { OnFailure: { Destination: failureQueue.arn } };
  let mappingId = existing[0]?.UUID;
  if (mappingId) {
    say(`Reusing event source mapping ${mappingId}.`);
    if (existing[0]!.DestinationConfig?.OnFailure?.Destination !== failureQueue.arn)
      await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mappingId, DestinationConfig: onFailure }));
  } else {
    const mapping = await retryWhile(isRolePropagationError, () =>
      lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName,
          EventSourceArn: streamArn,
          StartingPosition: options.from === "latest" ? "LATEST" : "TRIM_HORIZON",
          BatchSize: options["batch-size"],
          MaximumBatchingWindowInSeconds: 0, // call as soon as records arrive
          MaximumRetryAttempts: 2, // then skip the batch: the default (-1) retries until the records expire
          BisectBatchOnFunctionError: true, // on an error, split the batch to corner the bad record
          FunctionResponseTypes: ["ReportBatchItemFailures"], // the handler may name the records that failed
          DestinationConfig: onFailure, // a note of each batch given up on, to the queue
          Tags: WORKSHOP_TAGS,
        }),
      ),
    );
    mappingId = mapping.UUID!;
    say(`Created event source mapping ${mappingId} from ${options.from}.`);
  }
  await pollUntil(
    "the event source mapping to be Enabled",
    async () => {
      const { State } = await lambda.send(new GetEventSourceMappingCommand({ UUID: mappingId }));
      return State === "Enabled" ? State : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 1000 },
  );

  // 5. One test invoke with a hand-made event; LogType Tail returns the last 4 KB of its log.
  const invoked = await lambda.send(
    new InvokeCommand({ FunctionName, Payload: JSON.stringify(sampleEvent(streamArn)), LogType: "Tail" }),
  );
  const tail = Buffer.from(invoked.LogResult ?? "", "base64")
    .toString("utf8")
    .trim();
  say("Test invoke, the function's log:");
  for (const line of tail.split("\n")) say(`  | ${line}`);
  if (invoked.FunctionError) {
    // The reply's payload says what went wrong: {"errorType": …, "errorMessage": …}.
    const failure = `${invokeFailure(invoked.Payload)}${tail ? " (its log is above)" : ""}`;
    throw new WorkshopError(`the test invoke failed (${invoked.FunctionError}): ${failure}`);
  }

  // 6. Records for the function to read, put the same way as lesson 02.
  const runId = newRunId();
  // With --poison, the record in the middle is one the handler cannot process.
  const poisonIndex = options.poison ? Math.floor(options.count / 2) : -1;
  const body = (index: number) => (index === poisonIndex ? POISON : `reading ${index}`);
  const entries: PutRecordsRequestEntry[] = Array.from({ length: options.count }, (_, index) => ({
    Data: encodeRecord({ runId, index, sentAt: Date.now(), body: body(index) }),
    PartitionKey: `key-${index % 16}`,
  }));
  for (const batch of toBatches(entries))
    await resendRefused(batch, (Records) =>
      kinesis.send(new PutRecordsCommand({ StreamName: options.stream, Records })),
    );
  say(`Put ${options.count} record(s), run id ${runId}. Waiting for the function's log lines…`);

  // 7. Follow the log group until every record's "seen" line has appeared (logs.ts).
  const expected = options.poison ? options.count - 1 : options.count;
  // (Lines that never come: the on-failure queue says what the mapping gave up on, or the mapping what it last did.)
  const { tally, latencies } = await followSeenLines(logs, names.logGroupName, runId, expected, timeoutMs).catch(
    (error: Error) => explainMissing(error, { sqs, queueUrl: failureQueue.url, lambda, mappingId }, names),
  );
  // With --poison: the note Lambda sends once it gives up (so every delivery is logged by then), then the deliveries.
  const failures = options.poison ? await receiveFailures(sqs, failureQueue.url) : undefined;
  const poisonDeliveries = options.poison
    ? await reportPoison(logs, names.logGroupName, runId, options.poison, poisonIndex)
    : undefined;
  if (failures) sayFailures(failures);

  // 8. With --copy-to, the copies the function wrote to the second stream.
  const copies = copyTo ? await waitForCopies(kinesis, copyTo, runId, expected, timeoutMs) : undefined;

  const { median, p95 } = percentiles(latencies);
  say(`All ${tally.unique} records were handled; publish → handler latency median ${median} ms, p95 ${p95} ms.`);
  return {
    produced: options.count,
    records: tally.records,
    unique: tally.unique,
    duplicates: tally.duplicates,
    latencyMs: median,
    latencyP95Ms: p95,
    functionArn,
    deployed,
    mappingId,
    ...(copyTo ? { copyTo, copies } : {}),
    ...(poisonDeliveries === undefined ? {} : { poisonDeliveries, onFailure: failures?.length }),
  };
}

export type Options = LessonOptions<typeof lesson.flags>;

export const lesson = {
  usage: "npx tsx 05-lambda-function/main.ts",
  about: "Deploy a Node.js Lambda with its IAM role, connect it to the stream, put records and follow its logs.",
  flags: defineFlags({
    count: wholeNumberFlag("how many records to put for the function", { default: 100 }),
    from: {
      type: "string",
      value: "trim-horizon|latest",
      default: "trim-horizon",
      help: "where a new mapping starts reading",
      parse: (from) => oneOf(from, "--from", ["trim-horizon", "latest"] as const),
    },
    "batch-size": wholeNumberFlag("records per invocation (1 to 10000)", { default: 100, max: 10_000 }),
    "copy-to": {
      type: "string",
      value: "STREAM",
      help: "the function also copies each record to this second stream (made if missing)",
    },
    poison: {
      type: "string",
      value: "throw|report",
      help: "put one record the handler cannot process: it throws, or reports it as a batch item failure; say what became of it",
      parse: (mode) => oneOf(mode, "--poison", ["throw", "report"] as const),
    },
    timeout: wholeNumberFlag("how long to wait for the log lines", { default: 120, value: "SECONDS" }),
    logs: { type: "boolean", help: "only print the function's log lines of the last 10 minutes" },
    delete: { type: "boolean", help: "delete the mapping, function, role, log group (and copies stream)" },
  }),
};

runLesson(import.meta.url, lesson, main);
