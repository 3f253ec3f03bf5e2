// Lesson 02: put records into the stream, one at a time or in batches.
//
//   npx tsx 02-produce-data/main.ts [--count 100] [--single] [--key random|fixed|FIELD] [--file PATH] [--rate N]
//
// Kinesis stores each record as an opaque blob of bytes plus a partition key. The key
// is hashed (MD5) to pick the shard; records with the same key land on the same shard,
// in order. Each record here is JSON with a run id and an index, so the consumers in
// lessons 03–05 can prove that every record arrived (at least once: Kinesis may deliver
// a record twice, and the consumers count those duplicates).
import { readFile } from "node:fs/promises";
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { DescribeStreamSummaryCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { PutRecordCommand, PutRecordsCommand, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { clientFor, checkedBy, defineFlags, encodeRecord, endpointWentAway, entrySize } from "../shared/index.js";
import { newRunId, resendRefused, runLesson, say, table, toBatches, wholeNumberFlag } from "../shared/index.js";
import { WorkshopError, type LessonOptions, type WorkshopRecord } from "../shared/index.js";

const RECORD_FIELDS = ["runId", "index", "sentAt"] as const;

/** How each record's partition key is chosen (see questions.md: choosing a partition key). */
export function partitionKeyFor(strategy: string): (record: WorkshopRecord) => string {
  if (strategy === "random") return () => randomUUID(); // spreads records evenly over the shards
  if (strategy === "fixed") return () => "workshop"; // one shard, strict order, that shard's limits
  if ((RECORD_FIELDS as readonly string[]).includes(strategy)) {
    return (record) => String(record[strategy as (typeof RECORD_FIELDS)[number]]);
  }
  throw new WorkshopError(
    `--key must be random, fixed, or a record field (${RECORD_FIELDS.join(", ")}), got '${strategy}'`,
  );
}

export async function main(options: Options) {
  const kinesis = clientFor(KinesisClient, options);
  const StreamName = options.stream;
  const keyOf = partitionKeyFor(options.key);
  const count = options.file ? 1 : options.count;

  // Check the stream first: a missing one fails here with ResourceNotFoundException
  // (shared/ turns that into "run lesson 01 first"). It also tells us the largest
  // record this stream takes: 1 MiB unless someone raised it (up to 10 MiB).
  const { StreamDescriptionSummary: stream } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
  const maxRecordBytes = (stream?.MaxRecordSizeInKiB ?? 1024) * 1024;
  say(`Stream ${StreamName}: ${stream?.OpenShardCount} open shard(s), records up to ${maxRecordBytes / 1024} KiB.`);

  const runId = newRunId();
  const entries: PutRecordsRequestEntry[] = [];
  if (options.file) {
    // A file is just bytes to Kinesis: send them as they are, no encoding needed.
    const Data = await readFile(options.file).catch((error: NodeJS.ErrnoException) => {
      throw new WorkshopError(`cannot read --file ${options.file}: ${error.code ?? error.message}`);
    });
    const entry = { Data, PartitionKey: options.file };
    if (entrySize(entry) > maxRecordBytes) {
      throw new WorkshopError(
        `--file ${options.file} is ${entrySize(entry).toLocaleString("en")} bytes with its key, over this stream's ` +
          `${maxRecordBytes.toLocaleString("en")}-byte record limit: split it, or store it in S3 and send its address`,
      );
    }
    entries.push(entry);
  } else {
    for (let index = 0; index < count; index++) {
      const record: WorkshopRecord = { runId, index, sentAt: Date.now(), body: `reading ${index}` };
      entries.push({ Data: encodeRecord(record), PartitionKey: keyOf(record) });
    }
  }

  const started = performance.now();
  const shardIds: string[] = []; // the shard of each record stored, as it is stored
  let retried = 0;
  let throttled = 0;
  let requests = 0;
  try {
    if (options.single) {
      // One request per record: simple, and each reply carries the record's shard and
      // sequence number. A refusal throws (ProvisionedThroughputExceededException when a
      // shard is over 1,000 records/s or 1 MiB/s); the SDK retries those with backoff,
      // and $metadata.attempts says how many tries a record took.
      for (const { Data, PartitionKey } of entries) {
        const { ShardId, $metadata } = await kinesis.send(new PutRecordCommand({ StreamName, Data, PartitionKey }));
        shardIds.push(ShardId!);
        retried += ($metadata?.attempts ?? 1) - 1;
        requests += $metadata?.attempts ?? 1;
      }
    } else {
      // Up to 500 records (and 10 MiB) per PutRecords request: far fewer round trips.
      // A reply can accept some entries and refuse others (FailedRecordCount > 0):
      // resendRefused (shared/records.ts) sends only the refused ones again, after a
      // pause, until every one is in. Nothing is lost, nothing is sent twice.
      // --rate: a steady producer, a tenth of a second's records a request, on a fixed clock.
      const perBatch = options.rate ? Math.max(1, Math.round(options.rate / 10)) : 500;
      for (const [i, batch] of toBatches(entries, undefined, perBatch).entries()) {
        if (options.rate) await sleep(Math.max(0, started + (i * perBatch * 1000) / options.rate - performance.now()));
        const outcome = await resendRefused(
          batch,
          (Records) => kinesis.send(new PutRecordsCommand({ StreamName, Records })),
          (shardId) => shardIds.push(shardId),
        );
        retried += outcome.retried;
        throttled += outcome.throttled;
        requests += outcome.requests;
      }
    }
  } catch (error) {
    // The emulator was stopped or killed mid-run (or the network dropped): say what is stored.
    if (!endpointWentAway(error)) throw error;
    const missing = entries.length - shardIds.length;
    throw new WorkshopError(
      `${options.endpoint ?? "AWS"} stopped answering: ${shardIds.length} of ${entries.length} records were stored before it did, ` +
        `the other ${missing} were not. ${options.target === "local" ? "Run npm run emulator:start, then" : "When it answers again, run"} ` +
        `this lesson again (--count ${missing} puts as many as were lost)`,
    );
  }

  const seconds = (performance.now() - started) / 1000;
  const perShard: Record<string, number> = {};
  for (const shardId of shardIds) perShard[shardId] = (perShard[shardId] ?? 0) + 1;
  const recordsPerSecond = Math.round(shardIds.length / Math.max(seconds, 0.001));
  // The stream's write limit: 1,000 records a second for each open shard.
  const writeLimit = (stream?.OpenShardCount ?? 1) * 1000;

  say(`Put ${shardIds.length} record(s) in ${requests} request(s), ${seconds.toFixed(2)} s; run id ${runId}.`);
  say(
    `${recordsPerSecond.toLocaleString("en")} records/s against this stream's limit of ${writeLimit.toLocaleString("en")}/s (${stream?.OpenShardCount} shard(s) × 1,000).`,
  );
  if (recordsPerSecond > writeLimit && throttled === 0 && retried === 0)
    say("(A run this short fits in each shard's allowance for one second; a longer one is held to the limit.)");
  if (options.single) say(`The SDK retried ${retried} PutRecord call(s) that a shard refused.`);
  else if (retried > 0)
    say(
      `${throttled} entries were refused by a shard over its limit${retried > throttled ? ` (and ${retried - throttled} for other reasons)` : ""}, and sent again until accepted.`,
    );
  table(
    Object.keys(perShard)
      .sort()
      .map((shard) => ({ shard, records: perShard[shard]! })),
  );

  return { sent: shardIds.length, retried, throttled, runId, perShard, recordsPerSecond, writeLimit };
}

export type Options = LessonOptions<typeof lesson.flags>;

export const lesson = {
  usage: "npx tsx 02-produce-data/main.ts",
  about: "Put --count records into the stream with PutRecords batches (or --single PutRecord calls), or one --file.",
  flags: defineFlags({
    count: wholeNumberFlag("how many records to put", { default: 100 }),
    single: { type: "boolean", help: "one PutRecord call per record instead of PutRecords batches" },
    key: {
      type: "string",
      value: "random|fixed|FIELD",
      default: "random",
      help: "partition key: random, one fixed key, or a record field (index, runId)",
      parse: checkedBy(partitionKeyFor), // refuse an unknown one at once
    },
    file: { type: "string", value: "PATH", help: "send this file's contents as one record" },
    rate: wholeNumberFlag(
      "put at most N records a second, in batches of a tenth of a second (default: as fast as the stream takes them)",
      { value: "N" },
    ),
  }),
};

runLesson(import.meta.url, lesson, main);
