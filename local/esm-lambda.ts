// What a Kinesis event source mapping reads and sends (esm-poller.ts does the when): a
// shard's records, batches of them, the event Lambda gets, the invocation, and the record
// an on-failure destination gets.
import { randomUUID } from "node:crypto";
import { GetRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import type { FailureCondition, Invocation, StreamRecord } from "./esm-batch.js";
import type { Mapping } from "./esm-store.js";

/** A Lambda event may carry 6 MB: a batch is cut before it would be larger. */
const MAX_EVENT_BYTES = 6 * 1024 * 1024;

/** The parts of an ARN: arn:PARTITION:SERVICE:REGION:ACCOUNT:TYPE/NAME. */
export const arnParts = (arn: string) => {
  const [, partition = "aws", , region = "", account = "", resource = ""] = arn.split(":");
  return { partition, region, account, name: resource.replace(/^[^/]*\//, "") };
};

export async function readPage(kinesis: KinesisClient, ShardIterator: string) {
  const page = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
  const records: StreamRecord[] = (page.Records ?? []).map((r) => ({
    sequenceNumber: r.SequenceNumber!,
    partitionKey: r.PartitionKey!,
    data: r.Data ?? new Uint8Array(),
    arrivedAt: r.ApproximateArrivalTimestamp?.getTime() ?? Date.now(),
  }));
  return { records, next: page.NextShardIterator, behindMs: page.MillisBehindLatest };
}

/** The next batch from the front of `pending`: at most BatchSize records, and an event of at most 6 MB. */
export function takeBatch(pending: StreamRecord[], batchSize: number): StreamRecord[] {
  let bytes = 0;
  let n = 0;
  while (n < pending.length && n < batchSize) {
    bytes += Math.ceil(pending[n]!.data.byteLength / 3) * 4 + 600; // base64, and the record's other fields
    if (n > 0 && bytes > MAX_EVENT_BYTES) break;
    n++;
  }
  return pending.slice(0, n);
}

/** Which of `lanes` lanes a partition key goes to: the same key, the same lane, so its order is kept. */
export function laneOf(partitionKey: string, lanes: number): number {
  let hash = 0;
  for (const char of partitionKey) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % lanes;
}

/** The event Lambda sends for a Kinesis batch (AWS Lambda Developer Guide, "Using Lambda with Kinesis"). */
export function eventFor(records: StreamRecord[], shardId: string, m: Mapping, role: string) {
  const { region } = arnParts(m.EventSourceArn);
  return {
    Records: records.map((r) => ({
      kinesis: {
        kinesisSchemaVersion: "1.0",
        partitionKey: r.partitionKey,
        sequenceNumber: r.sequenceNumber,
        data: Buffer.from(r.data).toString("base64"),
        approximateArrivalTimestamp: r.arrivedAt / 1000,
      },
      eventSource: "aws:kinesis",
      eventVersion: "1.0",
      eventID: `${shardId}:${r.sequenceNumber}`,
      eventName: "aws:kinesis:record",
      invokeIdentityArn: role,
      awsRegion: region,
      eventSourceARN: m.EventSourceArn,
    })),
  };
}

export async function invoke(lambda: LambdaClient, m: Mapping, event: unknown): Promise<Invocation> {
  try {
    const reply = await lambda.send(new InvokeCommand({ FunctionName: m.FunctionArn, Payload: JSON.stringify(event) }));
    const text = reply.Payload ? Buffer.from(reply.Payload).toString("utf8") : "";
    let response: unknown = text;
    try {
      response = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: kept as text
    }
    return reply.FunctionError ? { ok: false, functionError: reply.FunctionError, response } : { ok: true, response };
  } catch (error) {
    // Throttled, or the function could not start: a failed invocation, retried as AWS retries one.
    return { ok: false, functionError: (error as Error).name, response: (error as Error).message };
  }
}

/** AWS's invocation record for records given up on, as an on-failure destination receives it. */
export function onFailureRecord(
  m: Mapping,
  shardId: string,
  records: StreamRecord[],
  condition: FailureCondition,
  invocations: number,
  last: Invocation | undefined,
) {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: m.FunctionArn,
      condition,
      approximateInvokeCount: invocations,
    },
    responseContext: {
      statusCode: 200,
      executedVersion: "$LATEST",
      functionError: last && !last.ok ? last.functionError : undefined,
    },
    version: "1.0",
    timestamp: iso(Date.now()),
    KinesisBatchInfo: {
      shardId,
      startSequenceNumber: records[0]!.sequenceNumber,
      endSequenceNumber: records.at(-1)!.sequenceNumber,
      approximateArrivalOfFirstRecord: iso(records[0]!.arrivedAt),
      approximateArrivalOfLastRecord: iso(records.at(-1)!.arrivedAt),
      batchSize: records.length,
      streamArn: m.EventSourceArn,
    },
  };
}
