// Lesson 05: hand the consumer to AWS. A Lambda function, fed by the stream.
//
//   npx tsx 05-lambda-function/main.ts [--count 100] [--fan-out] [--poison] [--logs] [--delete]
//
// No poller of ours and no daemon: Lambda's event source mapping reads the shards,
// calls our function with batches of records, keeps the position, and retries.
// We deploy the function (code + IAM role), connect it to the stream, put records,
// and read the function's log lines back from CloudWatch Logs.
import { setTimeout as sleep } from "node:timers/promises";
import {
  type CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  FilterLogEventsCommand,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException as LogGroupNotFound,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  EntityAlreadyExistsException,
  GetRoleCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  ResourceInUseException,
  ResourceNotFoundException as StreamNotFound,
  waitUntilStreamExists,
  type PutRecordsRequestEntry,
} from "@aws-sdk/client-kinesis";
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  InvokeCommand,
  ListEventSourceMappingsCommand,
  ResourceNotFoundException as FunctionNotFound,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import {
  confirmBillable,
  defineFlags,
  encodeRecord,
  iamClient,
  kinesisClient,
  lambdaClient,
  logsClient,
  newRunId,
  oneOf,
  packageLambdaHandler,
  percentiles,
  pollUntil,
  putRecordsUntilAccepted,
  RecordTally,
  retryWhile,
  runLesson,
  say,
  streamCost,
  tallyStream,
  toBatches,
  waitingFor,
  wholeNumber,
  WORKSHOP_TAGS,
  WorkshopError,
  type LessonOptions,
} from "../shared/index.js";
import { POISON, SEEN_LINES } from "./handler.js";

export const lesson = {
  usage: "npx tsx 05-lambda-function/main.ts",
  about: "Deploy a Node.js Lambda with its IAM role, connect it to the stream, put records and follow its logs.",
  flags: defineFlags({
    count: {
      type: "string",
      value: "N",
      default: "100",
      help: "how many records to put for the function",
      parse: (n) => wholeNumber(n, "--count"),
    },
    from: {
      type: "string",
      value: "trim-horizon|latest",
      default: "trim-horizon",
      help: "where a new mapping starts reading",
      parse: (from) => oneOf(from, "--from", ["trim-horizon", "latest"] as const),
    },
    "batch-size": {
      type: "string",
      value: "N",
      default: "100",
      help: "records per invocation (1 to 10000)",
      parse: (n) => wholeNumber(n, "--batch-size", 1, 10_000),
    },
    "fan-out": { type: "boolean", help: "also copy each record to a second stream, STREAM-copies" },
    poison: {
      type: "boolean",
      help: "put one record the handler refuses (a batch item failure) and say what became of it",
    },
    timeout: {
      type: "string",
      value: "SECONDS",
      default: "120",
      help: "how long to wait for the log lines",
      parse: (n) => wholeNumber(n, "--timeout"),
    },
    logs: { type: "boolean", help: "only print the function's log lines of the last 10 minutes" },
    delete: { type: "boolean", help: "delete the mapping, function, role, log group (and copies stream)" },
  }),
};
export type Options = LessonOptions<typeof lesson.flags>;

/** Everything this lesson creates is named after the stream. */
export function resourceNames(stream: string) {
  const functionName = `${stream}-handler`;
  return {
    functionName,
    roleName: `${functionName}-role`,
    policyName: "read-stream-write-logs",
    logGroupName: `/aws/lambda/${functionName}`,
    fanOutStream: `${stream}-copies`,
  };
}

/** The Lambda service may assume the role: that is all a trust policy says. */
export const TRUST_POLICY = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
};

/**
 * What the function may do, and on what: read this stream (the event source mapping
 * reads it with the function's role), write its own log group, and put records on the
 * fan-out stream if there is one. Nothing on "*".
 */
export function rolePolicy(arns: { stream: string; logGroup: string; fanOutStream?: string }) {
  const statements: object[] = [
    {
      Sid: "ReadTheStream",
      Effect: "Allow",
      Action: [
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
        "kinesis:ListShards",
        "kinesis:GetShardIterator",
        "kinesis:GetRecords",
      ],
      Resource: arns.stream,
    },
    {
      Sid: "WriteOwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${arns.logGroup}:*`,
    },
  ];
  if (arns.fanOutStream) {
    statements.push({
      Sid: "WriteCopies",
      Effect: "Allow",
      Action: ["kinesis:PutRecord", "kinesis:PutRecords"],
      Resource: arns.fanOutStream,
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** A Kinesis event as Lambda would send it, with one workshop record: for the test invoke. */
export function sampleEvent(streamArn: string) {
  const data = encodeRecord({ runId: "sample", index: 0, sentAt: Date.now(), body: "hello from a test invoke" });
  return {
    Records: [
      {
        kinesis: {
          kinesisSchemaVersion: "1.0",
          partitionKey: "sample",
          sequenceNumber: "49590338271490256608559692538361571095921575989136588898",
          data: Buffer.from(data).toString("base64"),
          approximateArrivalTimestamp: Date.now() / 1000,
        },
        eventSource: "aws:kinesis",
        eventVersion: "1.0",
        eventID: "shardId-000000000000:49590338271490256608559692538361571095921575989136588898",
        eventName: "aws:kinesis:record",
        invokeIdentityArn: "arn:aws:iam::000000000000:role/sample",
        awsRegion: streamArn.split(":")[3],
        eventSourceARN: streamArn,
      },
    ],
  };
}

/**
 * The two messages of a role that Lambda cannot see yet (IAM is eventually consistent):
 * CreateFunction's "cannot be assumed by Lambda", and CreateEventSourceMapping's "Please
 * ensure the role can perform the GetRecords… actions". Any other role error is real.
 */
export const isRolePropagationError = (error: any) =>
  error?.name === "InvalidParameterValueException" &&
  /cannot be assumed by Lambda|ensure the role can perform/i.test(error?.message ?? "");

export async function main(options: Options) {
  if (options.delete) return deleteEverything(options);
  if (options.logs) return printRecentLogs(options);

  const kinesis = kinesisClient(options);
  const iam = iamClient(options);
  const lambda = lambdaClient(options);
  const logs = logsClient(options);
  const names = resourceNames(options.stream);
  const FunctionName = names.functionName;

  const count = options.count;
  const batchSize = options["batch-size"];
  const startingPosition = options.from;
  const timeoutMs = options.timeout * 1000;

  // 1. The stream from lesson 01 (and, with --fan-out, a second stream for the copies).
  const { StreamDescriptionSummary: stream } = await kinesis.send(
    new DescribeStreamSummaryCommand({ StreamName: options.stream }),
  );
  const streamArn = stream!.StreamARN!;
  const [, , , region, account] = streamArn.split(":");

  // Lambda and CloudWatch Logs bill per use; a fan-out stream bills per hour (asks once on aws).
  await confirmBillable(options, [
    {
      what: `Lambda function ${FunctionName} and its event source mapping`,
      cost: "$0.20 per million invocations plus $0.0000167 per GB-second; the monthly free tier covers this lesson",
    },
    { what: `log group ${names.logGroupName}, kept 1 day`, cost: "$0.50 per GB of log lines written" },
    ...(options["fan-out"]
      ? [{ what: `stream ${names.fanOutStream} with 1 provisioned shard`, cost: streamCost(1) }]
      : []),
  ]);

  let fanOutArn: string | undefined;
  if (options["fan-out"]) {
    try {
      await kinesis.send(
        new CreateStreamCommand({
          StreamName: names.fanOutStream,
          ShardCount: 1,
          StreamModeDetails: { StreamMode: "PROVISIONED" },
          Tags: WORKSHOP_TAGS,
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    await waitingFor(
      `${names.fanOutStream} to be ACTIVE`,
      waitUntilStreamExists(
        { client: kinesis, maxWaitTime: 120, minDelay: 1, maxDelay: 5 },
        { StreamName: names.fanOutStream },
      ),
    );
    fanOutArn = streamArn.replace(/stream\/.*$/, `stream/${names.fanOutStream}`);
    say(`Fan-out stream ${names.fanOutStream} is ready.`);
  }

  // 2. The role the function runs as: who may assume it (Lambda), and what it may do.
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
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: names.roleName,
      PolicyName: names.policyName,
      PolicyDocument: JSON.stringify(rolePolicy({ stream: streamArn, logGroup: logGroupArn, fanOutStream: fanOutArn })),
    }),
  );

  // The log group, made by us so it has a retention period (Lambda would make one that keeps logs forever).
  try {
    await logs.send(new CreateLogGroupCommand({ logGroupName: names.logGroupName, tags: WORKSHOP_TAGS }));
  } catch (error) {
    if (!(error instanceof ResourceAlreadyExistsException)) throw error;
  }
  await logs.send(new PutRetentionPolicyCommand({ logGroupName: names.logGroupName, retentionInDays: 1 }));

  // 3. The function: handler.ts bundled by esbuild into one index.js, zipped.
  const pkg = await packageLambdaHandler(new URL("./handler.ts", import.meta.url));
  const Environment = { Variables: fanOutArn ? { FANOUT_STREAM: names.fanOutStream } : ({} as Record<string, string>) };
  let functionArn: string;
  let deployed: "created" | "updated" | "unchanged";
  try {
    const { Configuration: current } = await lambda.send(new GetFunctionCommand({ FunctionName }));
    functionArn = current!.FunctionArn!;
    deployed = "unchanged";
    if (current!.CodeSha256 !== pkg.sha256) {
      // New code: upload it, then wait until Lambda has finished switching to it.
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName, ZipFile: pkg.zip }));
      await waitingFor(
        "the new code to be live",
        waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 120, minDelay: 1, maxDelay: 5 }, { FunctionName }),
      );
      deployed = "updated";
    }
    // Configuration is a separate update, and only one update may run at a time.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName, Environment, Role: roleArn }));
    await waitingFor(
      "the configuration to be live",
      waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 120, minDelay: 1, maxDelay: 5 }, { FunctionName }),
    );
  } catch (error) {
    if (!(error instanceof FunctionNotFound)) throw error;
    // A role just created takes a few seconds to reach Lambda everywhere: until then
    // CreateFunction says the role "cannot be assumed by Lambda". Try again.
    const created = await retryWhile(
      isRolePropagationError,
      () =>
        lambda.send(
          new CreateFunctionCommand({
            FunctionName,
            Runtime: "nodejs22.x",
            Handler: "index.handler",
            Role: roleArn,
            Code: { ZipFile: pkg.zip },
            Timeout: 30,
            MemorySize: 256,
            Environment,
            LoggingConfig: { LogFormat: "Text", LogGroup: names.logGroupName },
            Tags: WORKSHOP_TAGS,
          }),
        ),
      { onRetry: () => say("  (the new role is not visible to Lambda yet: trying again in 3 s)") },
    );
    functionArn = created.FunctionArn!;
    await waitingFor(
      `${FunctionName} to be Active`,
      waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 120, minDelay: 1, maxDelay: 5 }, { FunctionName }),
    );
    deployed = "created";
  }
  say(`Function ${FunctionName} ${deployed} (${(pkg.zip.byteLength / 1024).toFixed(0)} KiB zip, nodejs22.x).`);

  // 4. The event source mapping: Lambda's own poller for the stream, one per function and stream.
  const { EventSourceMappings: existing = [] } = await lambda.send(
    new ListEventSourceMappingsCommand({ FunctionName, EventSourceArn: streamArn }),
  );
  let mappingId = existing[0]?.UUID;
  if (mappingId) {
    say(`Reusing event source mapping ${mappingId}.`);
  } else {
    const mapping = await retryWhile(isRolePropagationError, () =>
      lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName,
          EventSourceArn: streamArn,
          StartingPosition: startingPosition === "latest" ? "LATEST" : "TRIM_HORIZON",
          BatchSize: batchSize,
          MaximumBatchingWindowInSeconds: 0, // call as soon as records arrive
          MaximumRetryAttempts: 2, // then skip the batch: the default (-1) retries until the records expire
          BisectBatchOnFunctionError: true, // on an error, split the batch to corner the bad record
          FunctionResponseTypes: ["ReportBatchItemFailures"], // the handler names the records that failed
          Tags: WORKSHOP_TAGS,
        }),
      ),
    );
    mappingId = mapping.UUID!;
    say(`Created event source mapping ${mappingId} from ${startingPosition}.`);
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
    const failure = invokeFailure(invoked.Payload);
    throw new WorkshopError(
      `the test invoke failed (${invoked.FunctionError}): ${failure}${tail ? " (its log is above)" : ""}`,
    );
  }

  // 6. Records for the function to read, put the same way as lesson 02.
  const runId = newRunId();
  const entries: PutRecordsRequestEntry[] = Array.from({ length: count }, (_, index) => ({
    Data: encodeRecord({
      runId,
      index,
      sentAt: Date.now(),
      body: options.poison && index === 0 ? POISON : `reading ${index}`,
    }),
    PartitionKey: `key-${index % 16}`,
  }));
  for (const batch of toBatches(entries)) await putRecordsUntilAccepted(kinesis, options.stream, batch);
  say(`Put ${count} record(s), run id ${runId}. Waiting for the function's log lines…`);

  // 7. Follow the log group until every record's "seen" line has appeared (see followSeenLines below).
  const expected = options.poison ? count - 1 : count;
  const { tally, latencies } = await followSeenLines(logs, names.logGroupName, runId, expected, timeoutMs);
  const poisonDeliveries = options.poison ? await reportPoison(logs, names.logGroupName, runId) : undefined;

  // 8. With --fan-out, the copies the function wrote to the second stream.
  let copies: number | undefined;
  if (fanOutArn) {
    copies = await pollUntil(
      () => `${expected} copies in ${names.fanOutStream}`,
      async () => {
        const found = (await tallyStream(kinesis, names.fanOutStream)).uniqueFor(runId);
        return found >= expected ? found : undefined;
      },
      { timeoutMs, intervalMs: 1000 },
    );
    say(`The function copied all ${copies} records to ${names.fanOutStream}.`);
  }

  const { median, p95 } = percentiles(latencies);
  say(`All ${tally.unique} records were handled; publish → handler latency median ${median} ms, p95 ${p95} ms.`);

  return {
    produced: count,
    records: tally.records,
    unique: tally.unique,
    duplicates: tally.duplicates,
    latencyMs: median,
    latencyP95Ms: p95,
    functionArn,
    deployed,
    mappingId,
    ...(fanOutArn ? { fanOutStream: names.fanOutStream, copies } : {}),
    ...(poisonDeliveries === undefined ? {} : { poisonDeliveries }),
  };
}

/** "errorType: errorMessage" from a failed invoke's payload. */
export function invokeFailure(payload: Uint8Array | undefined): string {
  try {
    const { errorType, errorMessage } = JSON.parse(Buffer.from(payload ?? []).toString("utf8"));
    if (errorType || errorMessage) return `${errorType ?? "Error"}: ${errorMessage ?? ""}`.trim();
  } catch {
    // not JSON: fall through
  }
  return "the function returned no error details";
}

/**
 * --poison: how many times the poison record reached the handler (it logs a "cannot
 * process" line each time), waiting up to 10 s for Lambda's retries; then what AWS does.
 */
async function reportPoison(logs: CloudWatchLogsClient, logGroupName: string, runId: string): Promise<number> {
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
      ? `Here Lambda retried it ${seen - 1} time(s), from that record on.`
      : "Here it was not retried: this target counted the reported failure as success and moved on.",
  );
  say(
    "On AWS, Lambda retries the batch from the failed record on, up to MaximumRetryAttempts (2 here) more times, " +
      "splitting a failing batch in half (BisectBatchOnFunctionError), then skips it; an on-failure destination would keep it.",
  );
  return seen;
}

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
  const seenEvents = new Set<string>();
  const startTime = Date.now() - 60_000;
  await pollUntil(
    () => `${expected} log lines in ${logGroupName} (seen ${tally.unique})`,
    async () => {
      // Page through with nextToken while there is one. An emulator may never send a
      // nextToken, so completeness comes from polling again until every record is seen.
      let nextToken: string | undefined;
      do {
        const page = await logs.send(
          new FilterLogEventsCommand({ logGroupName, startTime, filterPattern: `"seen ${runId}"`, nextToken }),
        );
        for (const event of page.events ?? []) {
          // eventId tells events apart on AWS; emulators may leave it out.
          const id = event.eventId ?? `${event.logStreamName}/${event.timestamp}/${event.message}`;
          if (seenEvents.has(id)) continue;
          seenEvents.add(id);
          // On AWS each console.log line is one event; an emulator may store a whole
          // invocation's output as one event, so read every line of it.
          for (const [line, runIdSeen, index, latency] of event.message?.matchAll(SEEN_LINES) ?? []) {
            tally.addPair(runIdSeen!, Number(index));
            latencies.push(Number(latency));
            if (tally.records <= 5) say(`  | ${line}`);
          }
        }
        nextToken = page.nextToken;
      } while (nextToken);
      return tally.unique >= expected ? true : undefined;
    },
    { timeoutMs, intervalMs: 1000 },
  );
  return { tally, latencies };
}

export type DeploySummary = Exclude<
  Awaited<ReturnType<typeof main>>,
  { deleted: string[] } | { logGroup: string; events: number }
>;

/** --logs: what the function logged in the last 10 minutes, without deploying anything. */
export async function printRecentLogs(options: Options) {
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

/** --delete: the mapping, the function, the role and its policy, the log group, the copies stream. */
export async function deleteEverything(options: Options) {
  const kinesis = kinesisClient(options);
  const iam = iamClient(options);
  const lambda = lambdaClient(options);
  const logs = logsClient(options);
  const names = resourceNames(options.stream);
  const deleted: string[] = [];
  const ignoreMissing =
    (...kinds: Function[]) =>
    (error: unknown) => {
      if (!kinds.some((kind) => error instanceof kind)) throw error;
    };

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
  await kinesis
    .send(new DeleteStreamCommand({ StreamName: names.fanOutStream, EnforceConsumerDeletion: true }))
    .then(() => deleted.push(`stream ${names.fanOutStream}`), ignoreMissing(StreamNotFound));

  say(deleted.length ? `Deleted: ${deleted.join(", ")}.` : "Nothing of lesson 05 was left to delete.");
  return { deleted };
}

runLesson(import.meta.url, lesson, main);
