// Lesson 05's on-failure destination: an SQS queue. When the event source mapping gives up
// on a batch (its retries are spent, or its records are too old), Lambda sends the queue a
// note of what it skipped: the shard, the first and last sequence numbers, the batch size,
// and why. The records themselves stay in the stream, to be read again from those numbers.
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { say, WORKSHOP_TAGS } from "../shared/index.js";

/** Make the queue (or find it: CreateQueue with the same name and settings returns it). */
export async function ensureFailureQueue(sqs: SQSClient, QueueName: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName, tags: WORKSHOP_TAGS }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/** AWS's invocation record for a skipped Kinesis batch, the parts the lesson prints. */
interface InvocationRecord {
  requestContext: { condition: string; approximateInvokeCount: number };
  KinesisBatchInfo: { shardId: string; startSequenceNumber: string; endSequenceNumber: string; batchSize: number };
}

/** Print what arrived in the queue (waiting up to `waitSeconds` for the first), then remove it. */
export async function reportFailures(sqs: SQSClient, QueueUrl: string, waitSeconds = 10): Promise<number> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds }),
  );
  if (Messages.length === 0) say("The on-failure queue got nothing: no batch was given up on.");
  for (const message of Messages) {
    const { requestContext: why, KinesisBatchInfo: batch } = JSON.parse(message.Body!) as InvocationRecord;
    say(
      `The on-failure queue got: ${batch.batchSize} record(s) of ${batch.shardId}, sequence numbers ` +
        `${batch.startSequenceNumber} to ${batch.endSequenceNumber}, skipped for ${why.condition} ` +
        `after ${why.approximateInvokeCount} invocation(s).`,
    );
  }
  if (Messages.length > 0) {
    const Entries = Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! }));
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries }));
  }
  return Messages.length;
}
