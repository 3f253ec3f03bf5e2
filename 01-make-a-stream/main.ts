// Lesson 01: create a stream and wait until it can take data.
//
//   npx tsx 01-make-a-stream/main.ts [--shards 1] [--stream workshop-stream] [--delete]
//
// A stream is an ordered log of records, split into shards. Each shard takes up to
// 1 MiB/s or 1,000 records/s of writes and serves 2 MiB/s of reads, so the number
// of shards is the stream's capacity (and, in provisioned mode, its hourly price).
import { CreateStreamCommand, DeleteStreamCommand, DescribeStreamSummaryCommand } from "@aws-sdk/client-kinesis";
import { ListShardsCommand, ResourceInUseException, waitUntilStreamExists } from "@aws-sdk/client-kinesis";
import { waitUntilStreamNotExists } from "@aws-sdk/client-kinesis";
import { confirmBillable, defineFlags, kinesisClient, runLesson, say, onDemandStreamCost } from "../shared/index.js";
import { oneOf, streamCost, waiterFor, waitingFor, wholeNumberFlag, WORKSHOP_TAGS } from "../shared/index.js";
import type { LessonOptions } from "../shared/index.js";

export async function main(options: Options) {
  const kinesis = kinesisClient(options);
  const StreamName = options.stream;

  if (options.delete) {
    // Deleting is asynchronous too: the stream is DELETING for a while, then gone.
    // Its records go with it. EnforceConsumerDeletion also removes fan-out consumers.
    await kinesis.send(new DeleteStreamCommand({ StreamName, EnforceConsumerDeletion: true }));
    await waitingFor(`${StreamName} to be deleted`, waitUntilStreamNotExists(waiterFor(kinesis, 300), { StreamName }));
    say(`Deleted stream ${StreamName}.`);
    return { deleted: StreamName };
  }

  const onDemand = options.mode === "on-demand";
  // Provisioned: you choose the shards. On-demand: AWS chooses and adds shards as traffic grows.
  const shardCount = onDemand ? undefined : options.shards;

  // On AWS a stream is billed by the hour from creation until --delete (asks once; not on emulators).
  await confirmBillable(options, [
    onDemand
      ? { what: `on-demand stream ${StreamName}`, cost: onDemandStreamCost }
      : { what: `stream ${StreamName} with ${options.shards} provisioned shard(s)`, cost: streamCost(options.shards) },
  ]);

  // CreateStream only starts the work: the stream is CREATING for up to a minute on AWS.
  // A name is unique per account and region, so creating it twice fails with
  // ResourceInUseException, which here just means "already made: reuse it".
  let created = true;
  try {
    await kinesis.send(
      new CreateStreamCommand({
        StreamName,
        ShardCount: shardCount, // left out for on-demand
        StreamModeDetails: { StreamMode: onDemand ? "ON_DEMAND" : "PROVISIONED" },
        Tags: WORKSHOP_TAGS,
      }),
    );
    say(
      onDemand
        ? `Creating on-demand stream ${StreamName}…`
        : `Creating stream ${StreamName} with ${shardCount} shard(s)…`,
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    created = false;
    say(`Stream ${StreamName} already exists: reusing it (--delete first to start over).`);
  }

  // The waiter polls DescribeStream until StreamStatus is ACTIVE. It checks once at
  // once (emulators answer ACTIVE straight away), then every 1–5 s on AWS.
  await waitingFor(`${StreamName} to be ACTIVE`, waitUntilStreamExists(waiterFor(kinesis), { StreamName }));

  const { StreamDescriptionSummary: stream } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName }));

  say(`  ARN        ${stream?.StreamARN}`);
  say(`  status     ${stream?.StreamStatus}`);
  say(`  mode       ${stream?.StreamModeDetails?.StreamMode ?? "PROVISIONED"}`);
  say(`  retention  ${stream?.RetentionPeriodHours} hours`);
  for (const shard of Shards) {
    say(
      `  shard      ${shard.ShardId}  hash keys ${shard.HashKeyRange?.StartingHashKey}…${shard.HashKeyRange?.EndingHashKey}`,
    );
  }

  return {
    streamName: StreamName,
    streamArn: stream?.StreamARN,
    status: stream?.StreamStatus,
    mode: stream?.StreamModeDetails?.StreamMode ?? "PROVISIONED",
    created,
    shardIds: Shards.map((s) => s.ShardId),
    retentionHours: stream?.RetentionPeriodHours,
  };
}

export type Options = LessonOptions<typeof lesson.flags>;

export const lesson = {
  usage: "npx tsx 01-make-a-stream/main.ts",
  about: "Create the workshop's stream (or reuse it if it exists), wait until it is ACTIVE, and describe it.",
  flags: defineFlags({
    shards: wholeNumberFlag("number of shards for a new provisioned stream", { default: 1 }),
    mode: {
      type: "string",
      value: "provisioned|on-demand",
      default: "provisioned",
      help: "capacity mode of a new stream: you choose the shards, or AWS does",
      parse: (mode) => oneOf(mode, "--mode", ["provisioned", "on-demand"] as const),
    },
    delete: { type: "boolean", help: "delete the stream instead" },
  }),
};

runLesson(import.meta.url, lesson, main);
