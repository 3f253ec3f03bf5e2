// A stream's settings on the local target's Kinesis: tags, retention, capacity mode, record
// size, and the account's limits, as the Kinesis API reference documents them.
import type { KinesisCall } from "./parse.js";
import {
  ACCOUNT_SHARD_LIMIT,
  invalid,
  KinesisError,
  type Operation,
  openShards,
  type StreamOperations,
  UPDATING_MS,
} from "./kinesis-engine.js";
import type { Stream } from "./kinesis-store.js";

export function settingsOperations(streams: StreamOperations): Record<string, Operation> {
  const byArn = (call: KinesisCall, account: string): Stream => {
    const arn = String(call.input.ResourceARN ?? "");
    const name = /^arn:aws:kinesis:[^:]+:\d{12}:stream\/([^/]+)$/.exec(arn)?.[1];
    if (!name) throw invalid(`ResourceARN ${arn} is not a stream's ARN`);
    return streams.find(call, account, name);
  };

  const tag = (stream: Stream, tags: unknown): object => {
    const added = (tags ?? {}) as Record<string, string>;
    const all = { ...stream.tags, ...added };
    if (Object.keys(all).length > 50)
      throw new KinesisError("LimitExceededException", "A stream can have at most 50 tags.");
    stream.tags = all;
    streams.store.save();
    return {};
  };

  const untag = (stream: Stream, keys: unknown): object => {
    for (const key of (keys ?? []) as string[]) delete stream.tags[key];
    streams.store.save();
    return {};
  };

  const retention = (call: KinesisCall, account: string, way: "increase" | "decrease"): object => {
    const stream = streams.find(call, account);
    const hours = call.input.RetentionPeriodHours as number;
    if (hours < 24 || hours > 8760) throw invalid(`RetentionPeriodHours must be from 24 to 8760, got ${hours}`);
    if (way === "increase" ? hours <= stream.retentionHours : hours >= stream.retentionHours)
      throw invalid(
        `Requested retention period (${hours} hours) for stream ${stream.name} must be ${way === "increase" ? "longer" : "shorter"} than the existing retention period (${stream.retentionHours} hours). Use ${way === "increase" ? "DecreaseStreamRetentionPeriod" : "IncreaseStreamRetentionPeriod"} API.`,
      );
    stream.retentionHours = hours;
    streams.store.save();
    return {};
  };

  return {
    AddTagsToStream: (call, account) => tag(streams.find(call, account), call.input.Tags),
    RemoveTagsFromStream: (call, account) => untag(streams.find(call, account), call.input.TagKeys),
    TagResource: (call, account) => tag(byArn(call, account), call.input.Tags),
    UntagResource: (call, account) => untag(byArn(call, account), call.input.TagKeys),
    ListTagsForStream: (call, account) => {
      const stream = streams.find(call, account);
      const { Limit = 50, ExclusiveStartTagKey } = call.input as { Limit?: number; ExclusiveStartTagKey?: string };
      const keys = Object.keys(stream.tags)
        .sort()
        .filter((k) => ExclusiveStartTagKey === undefined || k > ExclusiveStartTagKey);
      return {
        Tags: keys.slice(0, Limit).map((Key) => ({ Key, Value: stream.tags[Key] })),
        HasMoreTags: keys.length > Limit,
      };
    },
    ListTagsForResource: (call, account) => ({
      Tags: Object.entries(byArn(call, account).tags).map(([Key, Value]) => ({ Key, Value })),
    }),

    IncreaseStreamRetentionPeriod: (call, account) => retention(call, account, "increase"),
    DecreaseStreamRetentionPeriod: (call, account) => retention(call, account, "decrease"),

    UpdateStreamMode: (call, account) => {
      const stream = streams.find(call, account);
      const mode = (call.input.StreamModeDetails as { StreamMode?: string } | undefined)?.StreamMode;
      if (mode !== "ON_DEMAND" && mode !== "PROVISIONED") throw invalid("StreamMode must be ON_DEMAND or PROVISIONED");
      streams.mustBeActive(stream);
      stream.mode = mode;
      stream.busyUntil = streams.now() + UPDATING_MS;
      streams.store.save();
      return {};
    },

    UpdateMaxRecordSize: (call, account) => {
      const stream = streams.find(call, account);
      const size = call.input.MaxRecordSizeInKiB as number | undefined;
      if (size === undefined || size < 1024 || size > 10240)
        throw invalid(`MaxRecordSizeInKiB must be from 1024 to 10240, got ${size}`);
      streams.mustBeActive(stream);
      stream.maxRecordKiB = size;
      stream.busyUntil = streams.now() + UPDATING_MS;
      streams.store.save();
      return {};
    },

    DescribeLimits: (call, account) => {
      const mine = [...streams.store.streams.values()].filter((s) => s.account === account && s.region === call.region);
      return {
        ShardLimit: ACCOUNT_SHARD_LIMIT,
        OpenShardCount: mine.reduce((n, s) => n + openShards(s).length, 0),
        OnDemandStreamCount: mine.filter((s) => s.mode === "ON_DEMAND").length,
        OnDemandStreamCountLimit: 50,
      };
    },
  };
}
