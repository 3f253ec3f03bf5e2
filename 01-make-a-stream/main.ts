// Lesson 01: create a stream and wait until it can take data.
//
//   npx tsx 01-make-a-stream/main.ts [--shards 1] [--stream workshop-stream] [--delete]
//   npx tsx 01-make-a-stream/main.ts --reshard 2        change an existing stream's shard count
//
// A stream is an ordered log of records, split into shards. Each shard takes up to
// 1 MiB/s or 1,000 records/s of writes and serves 2 MiB/s of reads, so the number
// of shards is the stream's capacity (and, in provisioned mode, its hourly price).
import { CreateStreamCommand, DeleteStreamCommand, DescribeStreamSummaryCommand } from "@aws-sdk/client-kinesis";
import { ListShardsCommand, ResourceInUseException, waitUntilStreamExists } from "@aws-sdk/client-kinesis";
import { KinesisClient, UpdateShardCountCommand, waitUntilStreamNotExists } from "@aws-sdk/client-kinesis";
import { clientFor, confirmBillable, defineFlags, runLesson, say, onDemandStreamCost } from "../shared/index.js";
import { oneOf, streamCost, waiterFor, waitingFor, wholeNumberFlag, WORKSHOP_TAGS } from "../shared/index.js";
import { listAllShards, type LessonOptions } from "../shared/index.js";

export async function main(options: Options) {
  const kinesis = clientFor(KinesisClient, options);
  const StreamName = options.stream;

  if (options.delete) {
    // Deleting is asynchronous too: the stream is DELETING for a while, then gone.
    // Its records go with it. EnforceConsumerDeletion also removes fan-out consumers.
    await kinesis.send(new DeleteStreamCommand({ StreamName, EnforceConsumerDeletion: true }));
    await waitingFor(`${StreamName} to be deleted`, waitUntilStreamNotExists(waiterFor(kinesis, 300), { StreamName }));
    say(`Deleted stream ${StreamName}.`);
    return { deleted: StreamName };
  }
  if (options.reshard !== undefined) return reshard(kinesis, options, options.reshard);

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

/**
 * Change an existing stream's shard count. UpdateShardCount splits and merges shards until
 * the open ones divide the hash-key space evenly. The old shards are closed, not deleted:
 * their records stay readable until the retention period ends, and each new shard names
 * its parents, so a reader can finish a parent before it starts on its children.
 */
async function reshard(kinesis: KinesisClient, options: Options, target: number) {
  const StreamName = options.stream;
  const before = await listAllShards(kinesis, StreamName);
  const wasOpen = new Set(before.filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber).map((s) => s.ShardId));
  await confirmBillable(options, [{ what: `stream ${StreamName} with ${target} shard(s)`, cost: streamCost(target) }]);

  // AWS allows at most double or half the open shards per call, and 10 calls a day per stream.
  // The stream is UPDATING meanwhile: reads and writes go on, another reshard is refused.
  say(`Resharding ${StreamName} from ${wasOpen.size} to ${target} open shard(s) (UpdateShardCount, UNIFORM_SCALING)…`);
  await kinesis.send(
    new UpdateShardCountCommand({ StreamName, TargetShardCount: target, ScalingType: "UNIFORM_SCALING" }),
  );
  await waitingFor(`${StreamName} to be ACTIVE again`, waitUntilStreamExists(waiterFor(kinesis, 600), { StreamName }));

  const after = await listAllShards(kinesis, StreamName);
  const known = new Set(before.map((s) => s.ShardId));
  // Closed by this reshard: the shards open before it, and any made and closed on the way.
  const closed = after.filter(
    (s) => s.SequenceNumberRange?.EndingSequenceNumber && (wasOpen.has(s.ShardId) || !known.has(s.ShardId)),
  );
  const opened = after.filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber && !known.has(s.ShardId));
  const range = (s: (typeof after)[number]) =>
    `${percent(s.HashKeyRange?.StartingHashKey)}–${percent(s.HashKeyRange?.EndingHashKey, 1n)}`;
  const parents = (s: (typeof after)[number]) => [s.ParentShardId, s.AdjacentParentShardId].filter(Boolean).join(" + ");
  for (const s of closed)
    say(`  closed  ${s.ShardId}  ${range(s).padEnd(9)} ${parents(s) ? `from ${parents(s)}` : ""}`.trimEnd());
  for (const s of opened) say(`  open    ${s.ShardId}  ${range(s).padEnd(9)} from ${parents(s)}`);
  say(
    "The closed shards keep their records until the retention period ends: readers finish them, then go on to their children.",
  );
  const { StreamDescriptionSummary: stream } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
  return {
    streamName: StreamName,
    streamArn: stream?.StreamARN,
    status: stream?.StreamStatus,
    shardIds: after.filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber).map((s) => s.ShardId),
    reshardedFrom: wasOpen.size,
    closed: closed.map((s) => s.ShardId),
    opened: opened.map((s) => ({ shardId: s.ShardId, parents: parents(s), hashKeys: range(s) })),
  };
}

/** Where a hash key lies in the 128-bit key space, as a percentage ("50%"); `plus` 1 for a range's last key. */
const percent = (key: string | undefined, plus = 0n) =>
  `${Math.round(Number(((BigInt(key ?? 0) + plus) * 1000n) / 2n ** 128n) / 10)}%`;

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
    reshard: wholeNumberFlag("change an existing stream's number of open shards to N (UpdateShardCount)"),
  }),
};

runLesson(import.meta.url, lesson, main);
