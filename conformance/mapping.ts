// Lesson 05's behaviours that are the event source mapping's: what Lambda does with a batch
// whose function fails. Each is seen through the on-failure queue, which works on any target:
// the invocation record says how often Lambda tried, which records it gave up on, and why.
import { DeleteRolePolicyCommand, PutRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { PutRecordsCommand } from "@aws-sdk/client-kinesis";
import {
  CreateEventSourceMappingCommand,
  type CreateEventSourceMappingCommandInput,
  DeleteEventSourceMappingCommand,
} from "@aws-sdk/client-lambda";
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { clientFor } from "../shared/clients.js";
import { WORKSHOP_TAGS } from "../shared/targets.js";
import { retryWhile } from "../shared/wait.js";
import { type Check, type CheckContext, Differs, expect } from "./check.js";
import { deploy, role } from "./lambda.js";

const GUIDE = 'AWS Lambda Developer Guide, "Using Lambda with Kinesis"';

// Fails on the record whose data is "poison": throws, or (MODE=report) reports it.
const HANDLER = `exports.handler = async (event) => {
  const poison = event.Records.find((r) => Buffer.from(r.kinesis.data, "base64").toString() === "poison");
  if (process.env.MODE === "report") return { batchItemFailures: poison ? [{ itemIdentifier: poison.kinesis.sequenceNumber }] : [] };
  if (poison) throw new Error("cannot process the poison record");
  return {};
};`;

interface InvocationRecord {
  requestContext: { condition: string; approximateInvokeCount: number };
  KinesisBatchInfo: { startSequenceNumber: string; batchSize: number };
}

/**
 * Ten records (#5 the poison one) in a one-shard stream, read by a function through a mapping
 * with `settings` and an SQS on-failure queue; the invocation record the queue gets.
 */
async function poisonRun(
  ctx: CheckContext,
  what: string,
  mode: "throw" | "report",
  settings: Partial<CreateEventSourceMappingCommandInput>,
): Promise<{ note: InvocationRecord; poisonSequence: string }> {
  const { name: StreamName, arn: streamArn } = await ctx.stream(what, 1);
  const sqs: SQSClient = clientFor(SQSClient, ctx.options);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: ctx.name(what), tags: WORKSHOP_TAGS }));
  ctx.cleanup(() => sqs.send(new DeleteQueueCommand({ QueueUrl })));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const queueArn = Attributes!.QueueArn!;

  // The function's role may read the stream and send to the queue (on AWS the mapping uses it for both).
  const roleArn = await role(ctx, `${what}-role`);
  const iam = clientFor(IAMClient, ctx.options);
  const RoleName = roleArn.split("/").at(-1)!;
  const PolicyName = "read-stream-send-failures";
  const policy = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: [
          "kinesis:DescribeStreamSummary",
          "kinesis:ListShards",
          "kinesis:GetShardIterator",
          "kinesis:GetRecords",
        ],
        Resource: streamArn,
      },
      { Effect: "Allow", Action: "sqs:SendMessage", Resource: queueArn },
    ],
  };
  await iam.send(new PutRolePolicyCommand({ RoleName, PolicyName, PolicyDocument: JSON.stringify(policy) }));
  ctx.cleanup(() => iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName })));
  const { lambda, FunctionName } = await deploy(ctx, what, HANDLER, roleArn, { MODE: mode });
  const propagating = (e: unknown) => /ensure the role can perform/i.test((e as Error).message);

  const Records = Array.from({ length: 10 }, (_, i) => ({
    Data: Buffer.from(i === 5 ? "poison" : `record ${i}`),
    PartitionKey: `k${i}`,
  }));
  const { Records: put = [] } = await ctx.kinesis.send(new PutRecordsCommand({ StreamName, Records }));
  const mapping = await retryWhile(propagating, () =>
    lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName,
        EventSourceArn: streamArn,
        StartingPosition: "TRIM_HORIZON",
        BatchSize: 10,
        DestinationConfig: { OnFailure: { Destination: queueArn } },
        ...settings,
      }),
    ),
  );
  ctx.cleanup(() => lambda.send(new DeleteEventSourceMappingCommand({ UUID: mapping.UUID })));

  // The note arrives once Lambda gives up: after the first try, the retries and their back-off.
  for (let waited = 0; waited < 100; waited += 20) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
    if (Messages[0])
      return { note: JSON.parse(Messages[0].Body!) as InvocationRecord, poisonSequence: put[5]!.SequenceNumber! };
  }
  throw new Differs("no invocation record reached the on-failure queue in 100 s");
}

export const MAPPING_CHECKS: Check[] = [
  {
    id: "mapping.retries-then-skip",
    group: "mapping",
    lesson: "05",
    limitSeconds: 180,
    aws: "a batch whose function throws is retried MaximumRetryAttempts times, then sent to the on-failure destination",
    source: `${GUIDE}, error handling: "MaximumRetryAttempts", "on-failure destination"`,
    async run(ctx) {
      const { note } = await poisonRun(ctx, "retries", "throw", { MaximumRetryAttempts: 1 });
      const { condition, approximateInvokeCount: tries } = note.requestContext;
      const ok = condition === "RetryAttemptsExhausted" && tries === 2 && note.KinesisBatchInfo.batchSize === 10;
      return expect(ok, `${condition} after ${tries} invocation(s), ${note.KinesisBatchInfo.batchSize} record(s)`);
    },
  },
  {
    id: "mapping.bisect",
    group: "mapping",
    lesson: "05",
    limitSeconds: 180,
    aws: "with BisectBatchOnFunctionError a failing batch is split until the poison record alone is given up on",
    source: `${GUIDE}, error handling: "BisectBatchOnFunctionError: split the batch in two and retry"`,
    async run(ctx) {
      const { note, poisonSequence } = await poisonRun(ctx, "bisect", "throw", {
        MaximumRetryAttempts: 1,
        BisectBatchOnFunctionError: true,
      });
      const { batchSize, startSequenceNumber } = note.KinesisBatchInfo;
      const alone = batchSize === 1 && startSequenceNumber === poisonSequence;
      return expect(alone, `gave up on ${batchSize} record(s)${alone ? ": the poison record alone" : ""}`);
    },
  },
  {
    id: "mapping.partial-batch",
    group: "mapping",
    lesson: "05",
    limitSeconds: 180,
    aws: "with ReportBatchItemFailures the retry starts at the reported record: what is given up on starts there",
    source: `${GUIDE}, "Reporting batch item failures"`,
    async run(ctx) {
      const { note, poisonSequence } = await poisonRun(ctx, "partial", "report", {
        MaximumRetryAttempts: 1,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
      });
      const { batchSize, startSequenceNumber } = note.KinesisBatchInfo;
      const fromPoison = startSequenceNumber === poisonSequence && batchSize === 5;
      return expect(fromPoison, `gave up on ${batchSize} record(s)${fromPoison ? ", from the reported one on" : ""}`);
    },
  },
];
