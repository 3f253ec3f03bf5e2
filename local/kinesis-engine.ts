// The local target's Kinesis: the workshop answers every Kinesis call itself, as the Kinesis
// API reference documents it, over the records kept by kinesis-store.ts. MiniStack keeps
// Lambda, IAM, CloudWatch Logs, DynamoDB, SQS and SNS. (MiniStack's own Kinesis loses
// records when a stream is resharded, and keeps them only at a clean stop: see the README.)
//
//   streams     CreateStream, DeleteStream, DescribeStream(Summary), ListStreams   (this file)
//   settings    tags, retention, stream mode, record size, DescribeLimits   (kinesis-settings.ts)
//   records     PutRecord(s), GetShardIterator, GetRecords                  (kinesis-records.ts)
//   resharding  SplitShard, MergeShards, UpdateShardCount, ListShards       (kinesis-reshard.ts)
//
// The endpoint's meters stand in front (kinesis-calls.ts): a call over a shard's limit never reaches this.
import type { KinesisCall } from "./parse.js";
import { awsError, type Reply, validationMessage } from "./replies.js";
import { type Shard, type Stream, type StreamStatus, shardIdOf, type KinesisStore } from "./kinesis-store.js";

/** An error AWS answers with: its type (__type) and message. */
export class KinesisError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export const invalid = (message: string) => new KinesisError("InvalidArgumentException", message);

/** Who is calling: MiniStack's rule, so ARNs agree across services (a 12-digit access key is the account). */
export const accountOf = (accessKey: string) => (/^\d{12}$/.test(accessKey) ? accessKey : "000000000000");

/** How long a reshard or a mode change keeps a stream UPDATING (AWS: seconds to minutes). */
export const UPDATING_MS = 1000;
/** AWS's default quota: 500 shards per account (in us-east-1, us-west-2 and eu-west-1). */
export const ACCOUNT_SHARD_LIMIT = 500;
const TWO_128 = 2n ** 128n;

export const statusOf = (stream: Stream, now = Date.now()): StreamStatus =>
  now < stream.busyUntil ? "UPDATING" : "ACTIVE";

export const openShards = (stream: Stream) => stream.shards.filter((s) => s.endSeq === undefined);

/** A shard as the API shows it. */
export function shardView(shard: Shard) {
  return {
    ShardId: shard.id,
    ...(shard.parent ? { ParentShardId: shard.parent } : {}),
    ...(shard.adjacentParent ? { AdjacentParentShardId: shard.adjacentParent } : {}),
    HashKeyRange: { StartingHashKey: String(shard.start), EndingHashKey: String(shard.end) },
    SequenceNumberRange: {
      StartingSequenceNumber: String(shard.startSeq),
      ...(shard.endSeq !== undefined ? { EndingSequenceNumber: String(shard.endSeq) } : {}),
    },
  };
}

/** `count` shards that split the hash-key space evenly, as AWS makes them (the last one takes the remainder). */
export function evenRanges(count: number): { start: bigint; end: bigint }[] {
  const step = TWO_128 / BigInt(count);
  return Array.from({ length: count }, (_, i) => ({
    start: step * BigInt(i),
    end: i === count - 1 ? TWO_128 - 1n : step * BigInt(i + 1) - 1n,
  }));
}

export type Operation = (call: KinesisCall, account: string) => object;

export class StreamOperations {
  constructor(
    readonly store: KinesisStore,
    readonly now: () => number = Date.now,
  ) {}

  /** The stream a call names, or AWS's ResourceNotFoundException. */
  find(call: KinesisCall, account: string, name = call.stream): Stream {
    const stream = this.store.get(account, call.region, name);
    if (!stream)
      throw new KinesisError("ResourceNotFoundException", `Stream ${name} under account ${account} not found.`);
    return stream;
  }

  /** A new shard (open), numbered after every shard the stream has had. */
  newShard(
    stream: Stream,
    range: { start: bigint; end: bigint },
    parents: string[] = [],
    openedAt = this.now(),
  ): Shard {
    const index = stream.nextShardIndex++;
    return {
      id: shardIdOf(index),
      index,
      start: range.start,
      end: range.end,
      ...(parents[0] ? { parent: parents[0] } : {}),
      ...(parents[1] ? { adjacentParent: parents[1] } : {}),
      startSeq: this.store.nextSeq(index),
      openedAt,
      records: [],
    };
  }

  readonly operations: Record<string, Operation> = {
    CreateStream: (call, account) => {
      const { ShardCount, StreamModeDetails, Tags, MaxRecordSizeInKiB } = call.input as {
        ShardCount?: number;
        StreamModeDetails?: { StreamMode?: string };
        Tags?: Record<string, string>;
        MaxRecordSizeInKiB?: number;
      };
      if (!/^[a-zA-Z0-9_.-]{1,128}$/.test(call.stream))
        throw new KinesisError(
          "ValidationException",
          validationMessage(
            "streamName",
            call.stream,
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
          ),
        );
      // A name alone makes an on-demand stream (AWS, since 2023), which starts with 4 shards.
      const mode = StreamModeDetails?.StreamMode ?? (ShardCount === undefined ? "ON_DEMAND" : "PROVISIONED");
      if (mode === "PROVISIONED" && ShardCount === undefined)
        throw invalid("ShardCount is required for a PROVISIONED stream");
      if (this.store.get(account, call.region, call.stream))
        throw new KinesisError(
          "ResourceInUseException",
          `Stream ${call.stream} under account ${account} already exists.`,
        );
      const count = mode === "ON_DEMAND" ? 4 : ShardCount!;
      this.checkAccountShards(account, call.region, count);
      const createdAt = this.now();
      const stream: Stream = {
        account,
        region: call.region,
        name: call.stream,
        arn: `arn:aws:kinesis:${call.region}:${account}:stream/${call.stream}`,
        createdAt,
        busyUntil: 0,
        mode: mode as Stream["mode"],
        retentionHours: 24,
        maxRecordKiB: MaxRecordSizeInKiB ?? 1024,
        tags: { ...Tags },
        shards: [],
        nextShardIndex: 0,
        scalings: [],
      };
      stream.shards = evenRanges(count).map((range) => this.newShard(stream, range, [], createdAt));
      this.store.add(stream);
      return {};
    },

    DeleteStream: (call, account) => {
      this.store.remove(this.find(call, account));
      return {};
    },

    DescribeStreamSummary: (call, account) => {
      const stream = this.find(call, account);
      return {
        StreamDescriptionSummary: {
          ...this.streamFields(stream),
          OpenShardCount: openShards(stream).length,
          ConsumerCount: 0,
          MaxRecordSizeInKiB: stream.maxRecordKiB,
        },
      };
    },

    DescribeStream: (call, account) => {
      const stream = this.find(call, account);
      const { Limit = 100, ExclusiveStartShardId } = call.input as { Limit?: number; ExclusiveStartShardId?: string };
      const after = ExclusiveStartShardId ? stream.shards.filter((s) => s.id > ExclusiveStartShardId) : stream.shards;
      return {
        StreamDescription: {
          ...this.streamFields(stream),
          Shards: after.slice(0, Limit).map(shardView),
          HasMoreShards: after.length > Limit,
        },
      };
    },

    ListStreams: (call, account) => {
      const {
        Limit = 100,
        ExclusiveStartStreamName,
        NextToken,
      } = call.input as {
        Limit?: number;
        ExclusiveStartStreamName?: string;
        NextToken?: string;
      };
      const from = NextToken ? Buffer.from(NextToken, "base64url").toString() : ExclusiveStartStreamName;
      if (
        NextToken &&
        (!/^[a-zA-Z0-9_.-]{1,128}$/.test(from!) || Buffer.from(from!).toString("base64url") !== NextToken)
      )
        throw invalid("Invalid NextToken.");
      const mine = [...this.store.streams.values()]
        .filter((s) => s.account === account && s.region === call.region && (from === undefined || s.name > from))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
      const page = mine.slice(0, Limit);
      const more = mine.length > Limit;
      return {
        StreamNames: page.map((s) => s.name),
        HasMoreStreams: more,
        ...(more ? { NextToken: Buffer.from(page.at(-1)!.name).toString("base64url") } : {}),
        StreamSummaries: page.map((s) => ({
          StreamName: s.name,
          StreamARN: s.arn,
          StreamStatus: statusOf(s, this.now()),
          StreamModeDetails: { StreamMode: s.mode },
          StreamCreationTimestamp: s.createdAt / 1000,
        })),
      };
    },
  };

  /** A reshard or a mode change needs an ACTIVE stream: AWS refuses one while another runs. */
  mustBeActive(stream: Stream): void {
    const status = statusOf(stream, this.now());
    if (status !== "ACTIVE")
      throw new KinesisError(
        "ResourceInUseException",
        `Stream ${stream.name} under account ${stream.account} not ACTIVE, instead in state ${status}`,
      );
  }

  /** Would the account's open shards go over its quota with `more` shards? AWS's LimitExceededException. */
  checkAccountShards(account: string, region: string, more: number): void {
    const open = [...this.store.streams.values()]
      .filter((s) => s.account === account && s.region === region)
      .reduce((n, s) => n + openShards(s).length, 0);
    if (open + more > ACCOUNT_SHARD_LIMIT)
      throw new KinesisError(
        "LimitExceededException",
        `This request would exceed the shard limit for the account ${account} in ${region}. Current limit of shards is ${ACCOUNT_SHARD_LIMIT}. Number of open shards is ${open}.`,
      );
  }

  private streamFields(stream: Stream) {
    return {
      StreamName: stream.name,
      StreamARN: stream.arn,
      StreamStatus: statusOf(stream, this.now()),
      StreamModeDetails: { StreamMode: stream.mode },
      RetentionPeriodHours: stream.retentionHours,
      StreamCreationTimestamp: stream.createdAt / 1000,
      EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
      EncryptionType: "NONE",
    };
  }
}

/** Turn an operation's result, or the KinesisError it threw, into the reply AWS would send. */
export function replyOf(run: () => object): Reply {
  try {
    return {
      status: 200,
      headers: { "content-type": "application/x-amz-json-1.1" },
      body: JSON.stringify(run()),
    };
  } catch (error) {
    if (error instanceof KinesisError) return awsError(400, error.type, error.message);
    // A fault of the local target's own, never the caller's: AWS's 500, which SDKs retry.
    return awsError(500, "InternalFailure", `the local target's Kinesis failed: ${(error as Error).message}`);
  }
}
