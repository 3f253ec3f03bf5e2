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
import { GetEventSourceMappingCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { say, WORKSHOP_TAGS, WorkshopError } from "../shared/index.js";

/** Make the queue (or find it: CreateQueue with the same name and settings returns it). */
export async function ensureFailureQueue(sqs: SQSClient, QueueName: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName, tags: WORKSHOP_TAGS }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/** AWS's invocation record for a skipped Kinesis batch, the parts the lesson prints. */
export interface InvocationRecord {
  requestContext: { condition: string; approximateInvokeCount: number };
  KinesisBatchInfo: { shardId: string; startSequenceNumber: string; endSequenceNumber: string; batchSize: number };
}

/**
 * Take what arrived in the queue, waiting up to `waitSeconds` for the first note (Lambda sends
 * it once it gives up on a batch, after its last retry), and remove it from the queue.
 */
export async function receiveFailures(sqs: SQSClient, QueueUrl: string, waitSeconds = 15): Promise<InvocationRecord[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds }),
  );
  if (Messages.length > 0) {
    const Entries = Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! }));
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries }));
  }
  return Messages.map((m) => JSON.parse(m.Body!) as InvocationRecord);
}

/** One line for each note the queue got. */
export function sayFailures(notes: InvocationRecord[]): void {
  if (notes.length === 0) say("The on-failure queue got nothing: no batch was given up on.");
  for (const { requestContext: why, KinesisBatchInfo: batch } of notes) {
    say(
      `The on-failure queue got: ${batch.batchSize} record(s) of ${batch.shardId}, sequence numbers ` +
        `${batch.startSequenceNumber} to ${batch.endSequenceNumber}, skipped for ${why.condition} ` +
        `after ${why.approximateInvokeCount} invocation(s).`,
    );
  }
}

/**
 * The function's log lines never all came: say how many records the mapping gave up on after
 * its retries and where their batches are, so that every record is accounted for. When it gave
 * up on none, say what the mapping itself reports: its state and its last processing result
 * ("OK", or "PROBLEM: Function call failed"). Throws.
 */
export async function explainMissing(
  error: Error,
  where: { sqs: SQSClient; queueUrl: string; lambda: LambdaClient; mappingId: string },
  names: { failureQueueName: string; logGroupName: string },
): Promise<never> {
  const skipped = (await receiveFailures(where.sqs, where.queueUrl, 1)).map((note) => note.KinesisBatchInfo);
  if (skipped.length === 0) {
    const mapping = await where.lambda.send(new GetEventSourceMappingCommand({ UUID: where.mappingId }));
    throw new WorkshopError(
      `${error.message}; the mapping gave up on none, and says: ${mapping.State}, last processing result ${mapping.LastProcessingResult}`,
    );
  }
  const count = skipped.reduce((n, batch) => n + batch.batchSize, 0);
  throw new WorkshopError(
    `${error.message}; the mapping gave up on ${count} record(s) after its retries, and their batches are in ${names.failureQueueName} (the function kept failing: see its log group ${names.logGroupName})`,
  );
}
