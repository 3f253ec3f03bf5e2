// The Lambda function of lesson 05: called by Lambda with a batch of Kinesis records.
//
// It logs one line per record (run id, index, and the time since the producer made
// it). A record it cannot process fails the batch as POISON_MODE says: "report" (the
// default) names it in batchItemFailures, "throw" throws. When COPY_TO_STREAM is set, it
// writes an upper-cased copy of each record to that stream.
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from "aws-lambda";
import { KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
// shared/records.ts alone, not shared/index.ts: the bundle must not pull in esbuild and the rest.
import { decodeRecord, encodeRecord, resendRefused } from "../shared/records.js";
import { seenLine } from "./names.js";

/** A record whose body is this string is one the handler refuses: see questions.md on poison records. */
export const POISON = "poison";

// Made once per container and reused by every invocation it serves. HTTP/1.1 because
// local emulators mishandle the Kinesis client's default HTTP/2 (see shared/clients.ts).
let kinesis: KinesisClient | undefined;
const copiesClient = () => (kinesis ??= new KinesisClient({ requestHandler: new NodeHttpHandler() }));

export async function handler(event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> {
  const copyTo = process.env.COPY_TO_STREAM;
  const batchItemFailures: KinesisStreamBatchResponse["batchItemFailures"] = [];
  const copies: PutRecordsRequestEntry[] = [];

  for (const item of event.Records) {
    // Kinesis data arrives base64-encoded in the event.
    const record = decodeRecord(Buffer.from(item.kinesis.data, "base64"));
    if (!record || record.body === POISON) {
      const what = record ? `${record.runId} #${record.index} (poison)` : "a record that is not a workshop record";
      const where = `sequence number ${item.kinesis.sequenceNumber}, in a batch of ${event.Records.length}`;
      console.log(`cannot process ${what}, ${where}`);
      // Thrown: the whole batch failed (Lambda retries it, split in two with bisection on).
      if (process.env.POISON_MODE === "throw") throw new Error(`cannot process ${what}`);
      // Reported: Lambda retries from this record on, not the whole batch.
      batchItemFailures.push({ itemIdentifier: item.kinesis.sequenceNumber });
      continue;
    }
    console.log(seenLine(record, Date.now()));
    if (copyTo) {
      // The copy keeps the original's partition key, so copies keep their order per key.
      const copy = { ...record, body: String(record.body ?? "").toUpperCase() };
      copies.push({ Data: encodeRecord(copy), PartitionKey: item.kinesis.partitionKey });
    }
  }

  if (copyTo && copies.length > 0)
    await resendRefused(copies, (Records) =>
      copiesClient().send(new PutRecordsCommand({ StreamName: copyTo, Records })),
    );
  return { batchItemFailures };
}
