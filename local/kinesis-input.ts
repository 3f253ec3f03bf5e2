// What each Kinesis operation takes, checked before the local target acts on it, as AWS checks
// it: a missing required field or a value out of its bounds is a 400 ValidationException that
// names the field (an SDK may send either: the JavaScript SDK does not check required fields).
// parse.ts has already checked the record fields, iterators, hash keys and whole numbers.
import { KinesisError } from "./kinesis-engine.js";
import { validationMessage } from "./replies.js";

type Rule =
  | { field: string; kind: "string"; required?: boolean; max?: number; oneOf?: readonly string[] }
  | { field: string; kind: "number"; required?: boolean; min: number; max: number }
  | { field: string; kind: "list"; required?: boolean; min: number; max: number }
  | { field: string; kind: "map"; required?: boolean; min: number; max: number }
  | { field: string; kind: "object"; required?: boolean };

const STREAM_MODES = ["PROVISIONED", "ON_DEMAND"] as const;
const SHARD_FILTERS = [
  "AFTER_SHARD_ID",
  "AT_TRIM_HORIZON",
  "FROM_TRIM_HORIZON",
  "AT_LATEST",
  "AT_TIMESTAMP",
  "FROM_TIMESTAMP",
] as const;

const RULES: Record<string, Rule[]> = {
  CreateStream: [
    { field: "StreamName", kind: "string", required: true, max: 128 },
    { field: "ShardCount", kind: "number", min: 1, max: 100_000 },
    { field: "StreamModeDetails", kind: "object" },
    { field: "Tags", kind: "map", min: 0, max: 50 },
  ],
  ListStreams: [
    { field: "Limit", kind: "number", min: 1, max: 10_000 },
    { field: "ExclusiveStartStreamName", kind: "string", max: 128 },
    { field: "NextToken", kind: "string", max: 1_048_576 },
  ],
  DescribeStream: [
    { field: "Limit", kind: "number", min: 1, max: 10_000 },
    { field: "ExclusiveStartShardId", kind: "string", max: 128 },
  ],
  ListShards: [
    { field: "MaxResults", kind: "number", min: 1, max: 10_000 },
    { field: "NextToken", kind: "string", max: 1_048_576 },
    { field: "ExclusiveStartShardId", kind: "string", max: 128 },
    { field: "ShardFilter", kind: "object" },
  ],
  IncreaseStreamRetentionPeriod: [{ field: "RetentionPeriodHours", kind: "number", required: true, min: 1, max: 8760 }],
  DecreaseStreamRetentionPeriod: [{ field: "RetentionPeriodHours", kind: "number", required: true, min: 1, max: 8760 }],
  SplitShard: [
    { field: "ShardToSplit", kind: "string", required: true, max: 128 },
    { field: "NewStartingHashKey", kind: "string", required: true },
  ],
  MergeShards: [
    { field: "ShardToMerge", kind: "string", required: true, max: 128 },
    { field: "AdjacentShardToMerge", kind: "string", required: true, max: 128 },
  ],
  UpdateShardCount: [
    { field: "TargetShardCount", kind: "number", required: true, min: 1, max: 100_000 },
    { field: "ScalingType", kind: "string", required: true, oneOf: ["UNIFORM_SCALING"] },
  ],
  AddTagsToStream: [{ field: "Tags", kind: "map", required: true, min: 1, max: 10 }],
  RemoveTagsFromStream: [{ field: "TagKeys", kind: "list", required: true, min: 1, max: 50 }],
  ListTagsForStream: [
    { field: "Limit", kind: "number", min: 1, max: 50 },
    { field: "ExclusiveStartTagKey", kind: "string", max: 128 },
  ],
  TagResource: [
    { field: "ResourceARN", kind: "string", required: true, max: 1024 },
    { field: "Tags", kind: "map", required: true, min: 1, max: 50 },
  ],
  UntagResource: [
    { field: "ResourceARN", kind: "string", required: true, max: 1024 },
    { field: "TagKeys", kind: "list", required: true, min: 1, max: 50 },
  ],
  ListTagsForResource: [{ field: "ResourceARN", kind: "string", required: true, max: 1024 }],
  UpdateStreamMode: [{ field: "StreamModeDetails", kind: "object", required: true }],
  UpdateMaxRecordSize: [{ field: "MaxRecordSizeInKiB", kind: "number", required: true, min: 1024, max: 10_240 }],
};

/** Operations that need StreamName or StreamARN (ListShards: unless a NextToken says where to go on). */
const NAMES_A_STREAM = new Set([
  "CreateStream",
  "DeleteStream",
  "DescribeStream",
  "DescribeStreamSummary",
  "PutRecord",
  "PutRecords",
  "GetShardIterator",
  "IncreaseStreamRetentionPeriod",
  "DecreaseStreamRetentionPeriod",
  "SplitShard",
  "MergeShards",
  "UpdateShardCount",
  "AddTagsToStream",
  "RemoveTagsFromStream",
  "ListTagsForStream",
  "UpdateStreamMode",
  "UpdateMaxRecordSize",
]);

const field = (name: string) => name[0]!.toLowerCase() + name.slice(1);
const refuse = (name: string, value: unknown, constraint: string) =>
  new KinesisError("ValidationException", validationMessage(field(name), value, constraint));

/** Throw AWS's ValidationException for the first field of `input` that breaks its operation's rules. */
export function checkInput(operation: string, input: Record<string, unknown>): void {
  if (NAMES_A_STREAM.has(operation) && input.StreamName === undefined && input.StreamARN === undefined)
    throw refuse("StreamName", undefined, "Member must not be null (give StreamName or StreamARN)");
  if (operation === "ListShards" && input.StreamName === undefined && input.StreamARN === undefined && !input.NextToken)
    throw refuse("StreamName", undefined, "Member must not be null (give StreamName, StreamARN or NextToken)");
  for (const rule of RULES[operation] ?? []) {
    const value = input[rule.field];
    if (value === undefined || value === null) {
      if (rule.required) throw refuse(rule.field, undefined, "Member must not be null");
      continue;
    }
    if (rule.kind === "string") {
      if (typeof value !== "string") throw refuse(rule.field, value, "Member must be a string");
      if (rule.max && value.length > rule.max)
        throw refuse(rule.field, value, `Member must have length less than or equal to ${rule.max}`);
      if (rule.oneOf && !rule.oneOf.includes(value))
        throw refuse(rule.field, value, `Member must satisfy enum value set: [${rule.oneOf.join(", ")}]`);
    } else if (rule.kind === "number") {
      if (typeof value !== "number" || value < rule.min || value > rule.max)
        throw refuse(rule.field, value, `Member must have value between ${rule.min} and ${rule.max}`);
    } else if (rule.kind === "list") {
      if (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
        throw refuse(rule.field, value, "Member must be a list of strings");
      if (value.length < rule.min || value.length > rule.max)
        throw refuse(rule.field, value, `Member must have length between ${rule.min} and ${rule.max}`);
    } else if (typeof value !== "object" || Array.isArray(value)) {
      throw refuse(rule.field, value, "Member must be an object");
    } else if (rule.kind === "map") {
      checkTags(rule.field, value as Record<string, unknown>, rule.min, rule.max);
    }
  }
  const mode = (input.StreamModeDetails as { StreamMode?: unknown } | undefined)?.StreamMode;
  if (input.StreamModeDetails !== undefined && !STREAM_MODES.includes(mode as "ON_DEMAND"))
    throw refuse(
      "StreamModeDetails.StreamMode",
      mode,
      `Member must satisfy enum value set: [${STREAM_MODES.join(", ")}]`,
    );
  const filter = input.ShardFilter as { Type?: unknown; ShardId?: unknown; Timestamp?: unknown } | undefined;
  if (filter !== undefined) {
    if (!SHARD_FILTERS.includes(filter.Type as "AT_LATEST"))
      throw refuse(
        "ShardFilter.Type",
        filter.Type,
        `Member must satisfy enum value set: [${SHARD_FILTERS.join(", ")}]`,
      );
    if (filter.Type === "AFTER_SHARD_ID" && typeof filter.ShardId !== "string")
      throw new KinesisError("InvalidArgumentException", "ShardFilter of type AFTER_SHARD_ID needs a ShardId.");
    if (String(filter.Type).endsWith("_TIMESTAMP") && filter.Timestamp === undefined)
      throw new KinesisError("InvalidArgumentException", `ShardFilter of type ${filter.Type} needs a Timestamp.`);
  }
}

/** Tags: string keys of 1 to 128 characters and string values of up to 256, as AWS's Tag type says. */
function checkTags(name: string, tags: Record<string, unknown>, min: number, max: number): void {
  const entries = Object.entries(tags);
  if (entries.length < min || entries.length > max)
    throw refuse(name, `${entries.length} tags`, `Member must have length between ${min} and ${max}`);
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > 128 || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(key))
      throw refuse(
        `${name}.key`,
        key,
        "Member must have length between 1 and 128 and satisfy pattern [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*",
      );
    if (typeof value !== "string" || value.length > 256)
      throw refuse(`${name}.value`, value, "Member must be a string of length less than or equal to 256");
  }
}
