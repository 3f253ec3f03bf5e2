import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  FilterLogEventsCommand,
  PutRetentionPolicyCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand, type Role } from "@aws-sdk/client-iam";
import {
  DescribeStreamSummaryCommand,
  KinesisClient,
  PutRecordsCommand,
  type StreamDescriptionSummary,
} from "@aws-sdk/client-kinesis";
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  type GetFunctionCommandOutput,
  InvalidParameterValueException,
  InvokeCommand,
  type InvokeCommandOutput,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ResourceNotFoundException,
  UpdateEventSourceMappingCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { offlineOptions } from "../test/emulator.js";
import { partial } from "../test/partial.js";
import { decodeRecord } from "../shared/index.js";
import { lesson, main } from "./main.js";
import { isRolePropagationError, rolePolicy } from "./permissions.js";
import { invokeFailure } from "./test-invoke.js";

const kinesis = mockClient(KinesisClient);
const iam = mockClient(IAMClient);
const lambda = mockClient(LambdaClient);
const logs = mockClient(CloudWatchLogsClient);
const sqs = mockClient(SQSClient);
const QUEUE_ARN = "arn:aws:sqs:us-east-1:111122223333:s-handler-failures";
const options = (...argv: string[]) => offlineOptions(lesson, ...argv);
const STREAM_ARN = "arn:aws:kinesis:us-east-1:111122223333:stream/s";
const active = partial<GetFunctionCommandOutput>({
  Configuration: { FunctionArn: "arn:fn", State: "Active", LastUpdateStatus: "Successful", CodeSha256: "old" },
});

/** The function and its mapping, from an earlier run: the lesson updates the one and reuses the other. */
function anExistingFunctionAndMapping(): void {
  lambda.on(GetFunctionCommand).resolves(active);
  lambda.on(UpdateFunctionCodeCommand).resolves({});
  lambda.on(UpdateFunctionConfigurationCommand).resolves({});
  lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [{ UUID: "esm-old" }] });
}

beforeEach(() => {
  for (const m of [kinesis, iam, lambda, logs, sqs]) m.reset();
  sqs.on(CreateQueueCommand).resolves({ QueueUrl: "https://sqs.example/111122223333/s-handler-failures" });
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: QUEUE_ARN } });
  kinesis
    .on(DescribeStreamSummaryCommand)
    .resolves({ StreamDescriptionSummary: partial<StreamDescriptionSummary>({ StreamARN: STREAM_ARN }) });
  kinesis
    .on(PutRecordsCommand)
    .callsFake((input) => ({ FailedRecordCount: 0, Records: input.Records.map(() => ({ ShardId: "s0" })) }));
  iam.on(CreateRoleCommand).resolves({ Role: partial<Role>({ Arn: "arn:aws:iam::111122223333:role/s-handler-role" }) });
  iam.on(PutRolePolicyCommand).resolves({});
  logs.on(CreateLogGroupCommand).resolves({});
  logs.on(PutRetentionPolicyCommand).resolves({});
  lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
  lambda.on(CreateEventSourceMappingCommand).resolves({ UUID: "esm-1" });
  lambda.on(GetEventSourceMappingCommand).resolves({ State: "Enabled" });
  lambda.on(UpdateEventSourceMappingCommand).resolves({});
  lambda
    .on(InvokeCommand)
    .resolves({ StatusCode: 200, LogResult: Buffer.from("seen sample #0 after 1 ms").toString("base64") });
  // The log group answers with a "seen" line for every record that was put.
  logs.on(FilterLogEventsCommand).callsFake(() => ({
    events: kinesis.commandCalls(PutRecordsCommand).flatMap((c) =>
      c.args[0].input.Records!.map((r) => {
        const record = decodeRecord(r.Data)!;
        return { eventId: `${record.index}`, message: `seen ${record.runId} #${record.index} after 5 ms` };
      }),
    ),
  }));
});

describe("lesson 05 deploy steps (mocked AWS)", () => {
  it("creates the function, retrying while the new role is not yet visible to Lambda", async () => {
    lambda
      .on(GetFunctionCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: "no", $metadata: {} }))
      .resolves(active);
    lambda
      .on(CreateFunctionCommand)
      .rejectsOnce(
        new InvalidParameterValueException({
          message: "The role defined for the function cannot be assumed by Lambda.",
          $metadata: {},
        }),
      )
      .resolves({ FunctionArn: "arn:fn" });

    // The 3 s pause before the retry passes on a fake clock, moved on while the lesson works.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let summary: Awaited<ReturnType<typeof main>>;
    try {
      let settled = false;
      const running = main(options("--count", "3")).finally(() => {
        settled = true;
      });
      while (!settled) {
        await vi.advanceTimersByTimeAsync(500);
        await new Promise((resolve) => setImmediate(resolve)); // let real I/O (the bundler) move on
      }
      summary = await running;
    } finally {
      vi.useRealTimers();
    }

    expect(summary).toMatchObject({ produced: 3, unique: 3, deployed: "created", functionArn: "arn:fn", latencyMs: 5 });
    expect(lambda.commandCalls(CreateFunctionCommand)).toHaveLength(2);
    const created = lambda.commandCalls(CreateFunctionCommand)[1]!.args[0].input;
    expect(created).toMatchObject({
      Runtime: "nodejs24.x",
      Handler: "index.handler",
      Tags: { workshop: "kinesis-lambda" },
    });
    const mapping = lambda.commandCalls(CreateEventSourceMappingCommand)[0]!.args[0].input;
    expect(mapping).toMatchObject({
      EventSourceArn: STREAM_ARN,
      StartingPosition: "TRIM_HORIZON",
      MaximumRetryAttempts: 2,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      DestinationConfig: { OnFailure: { Destination: QUEUE_ARN } },
    });
    // The role may send to that queue (the mapping sends with it), and nothing else there.
    const policy = JSON.parse(iam.commandCalls(PutRolePolicyCommand)[0]!.args[0].input.PolicyDocument!);
    expect(policy.Statement).toContainEqual(
      expect.objectContaining({ Action: "sqs:SendMessage", Resource: QUEUE_ARN }),
    );
  }, 20_000);

  it("updates the code of an existing function and reuses its mapping", async () => {
    anExistingFunctionAndMapping();

    const summary = await main(options("--count", "2"));

    expect(summary).toMatchObject({ deployed: "updated", mappingId: "esm-old", unique: 2 });
    expect(lambda.commandCalls(CreateFunctionCommand)).toHaveLength(0);
    expect(lambda.commandCalls(CreateEventSourceMappingCommand)).toHaveLength(0);
    // A mapping from before the on-failure queue gets it.
    expect(lambda.commandCalls(UpdateEventSourceMappingCommand)[0]!.args[0].input).toEqual({
      UUID: "esm-old",
      DestinationConfig: { OnFailure: { Destination: QUEUE_ARN } },
    });
    expect(lambda.commandCalls(UpdateFunctionCodeCommand)[0]!.args[0].input.ZipFile!.byteLength).toBeGreaterThan(1000);
  });
});

describe("lesson 05 when the function keeps failing (mocked AWS)", () => {
  it("says how many records the mapping gave up on, and where they are, when their log lines never come", async () => {
    anExistingFunctionAndMapping();
    // Only record #0 is ever logged: the batch holding #1 failed its retries and went to the on-failure queue.
    logs.on(FilterLogEventsCommand).callsFake(() => ({
      events: kinesis.commandCalls(PutRecordsCommand).flatMap((c) => {
        const record = decodeRecord(c.args[0].input.Records![0]!.Data)!;
        return [{ eventId: "0", message: `seen ${record.runId} #0 after 5 ms` }];
      }),
    }));
    const note = { requestContext: { condition: "RetryAttemptsExhausted", approximateInvokeCount: 3 } };
    const batch = { shardId: "shardId-000000000000", batchSize: 1, startSequenceNumber: "2", endSequenceNumber: "2" };
    sqs.on(ReceiveMessageCommand).resolves({
      Messages: [{ ReceiptHandle: "r", Body: JSON.stringify({ ...note, KinesisBatchInfo: batch }) }],
    });
    sqs.on(DeleteMessageBatchCommand).resolves({});

    await expect(main(options("--count", "2", "--timeout", "1"))).rejects.toThrow(
      /waiting for 2 log lines .*\(seen 1\); the mapping gave up on 1 record\(s\) after its retries, and their batches are in s-handler-failures/,
    );
  });
});

describe("lesson 05 when log lines never come and nothing was given up on (mocked AWS)", () => {
  it("says what the event source mapping reports: its state and its last processing result", async () => {
    anExistingFunctionAndMapping();
    lambda.on(GetEventSourceMappingCommand).resolves({ State: "Enabled", LastProcessingResult: "OK" });
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });

    await expect(main(options("--count", "2", "--timeout", "1"))).rejects.toThrow(
      /waiting for 2 log lines .*\(seen 0\); the mapping gave up on none, and says: Enabled, last processing result OK$/,
    );
  });
});

describe("what lesson 05 retries and what it reports", () => {
  it("retries only the messages of a role Lambda cannot see yet, not a wrong role", () => {
    const lambdaSays = (message: string) => new InvalidParameterValueException({ message, $metadata: {} });
    expect(isRolePropagationError(lambdaSays("The role defined for the function cannot be assumed by Lambda."))).toBe(
      true,
    );
    expect(
      isRolePropagationError(
        lambdaSays(
          "Cannot access stream arn:… Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM.",
        ),
      ),
    ).toBe(true);
    expect(
      isRolePropagationError(
        lambdaSays("1 validation error detected: Value 'x' at 'role' failed to satisfy constraint"),
      ),
    ).toBe(false);
    expect(isRolePropagationError(lambdaSays("The role arn:aws:iam::1:role/nope does not exist"))).toBe(false);
  });

  it("a failed test invoke says the function's errorType and errorMessage, with or without a log tail", async () => {
    lambda.on(GetFunctionCommand).resolves(active);
    lambda.on(UpdateFunctionCodeCommand).resolves({});
    lambda.on(UpdateFunctionConfigurationCommand).resolves({});
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: "Unhandled",
      // The SDK wraps the payload's bytes in a blob adapter; the lesson reads only the bytes.
      Payload: Buffer.from(
        JSON.stringify({ errorType: "Runtime.ImportModuleError", errorMessage: "Cannot find module 'index'" }),
      ) as unknown as InvokeCommandOutput["Payload"],
    });
    await expect(main(options("--count", "1"))).rejects.toThrow(
      "the test invoke failed (Unhandled): Runtime.ImportModuleError: Cannot find module 'index'",
    );
    // An emulator that answers in plain text: its text is the reason.
    expect(invokeFailure(Buffer.from("Lambda executor failed: docker not found\n"))).toBe(
      "Lambda executor failed: docker not found",
    );
    expect(invokeFailure(Buffer.from(""))).toBe("the function returned no error details");
  });

  it("says in one line why a new function failed to start, with its StateReason", async () => {
    const failed = { State: "Failed" as const, StateReason: "Error while creating lambda: Docker not available" };
    lambda
      .on(GetFunctionCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: "not found", $metadata: {} }))
      .resolves({ Configuration: failed }); // what the waiter reads
    lambda.on(CreateFunctionCommand).resolves({ FunctionArn: "arn:fn" });
    lambda.on(GetFunctionConfigurationCommand).resolves({
      State: "Failed",
      StateReason: "Error while creating lambda: Docker not available",
    });
    await expect(main(options("--count", "1"))).rejects.toThrow(
      /^function s-handler could not start \(State Failed\): Error while creating lambda: Docker not available — /,
    );
  }, 20_000);
});

describe("the role's policy", () => {
  it("names only the lesson's stream(s) and the function's own log group, never *", () => {
    const policy = rolePolicy({
      stream: STREAM_ARN,
      logGroup: "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/s-handler",
      copiesStream: `${STREAM_ARN}-copies`,
    });
    const resources = policy.Statement.map((s: object) => (s as { Resource: unknown }).Resource);
    expect(resources).toEqual([
      STREAM_ARN,
      "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/s-handler:*",
      `${STREAM_ARN}-copies`,
    ]);
    expect(JSON.stringify(policy)).not.toContain('"*"');
  });
});
