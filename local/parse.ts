// Which requests are Kinesis calls, and are they well formed?
//
// The endpoint must see every call that the emulator behind it would serve as Kinesis,
// however it is spelled, or the shard limits could be walked around. MiniStack routes a
// request to Kinesis when its X-Amz-Target starts with "Kinesis_20131202", or when the
// target names no other service and the request is signed for the "kinesis" service;
// the operation is what follows the target's last dot. It reads any body that is not
// CBOR as JSON, whatever its Content-Type. kinesisOperation() applies the same rules.
//
// A Kinesis call is then parsed and checked here, before anything is metered or sent
// on: a body that is not JSON gets AWS's 400 SerializationException, a field that breaks
// the API's constraints a 400 ValidationException that names it. A shape this file cannot
// read is refused, never passed through.
import type { IncomingHttpHeaders } from "node:http";
import { awsError, type Reply, serializationError, validationError } from "./replies.js";

const KINESIS_TARGET = "Kinesis_20131202";
/** Target prefixes that MiniStack's router sends to another service (of those the workshop loads). */
const ROUTED_ELSEWHERE = [
  "DynamoDB_20120810",
  "DynamoDBStreams_20120810",
  "Logs_20140328",
  "AWSSecurityTokenService",
  "AmazonSQS",
  "AmazonSNS",
  "GraniteServiceVersion20100801",
];

/**
 * A SigV4 Authorization header as every SDK, the AWS CLI and boto3 write it. The endpoint
 * takes no other shape: MiniStack reads a looser one (another date, a key with a space, an
 * unknown scheme) its own way, and the two readings must never disagree on the service or
 * the region, or a Kinesis call could pass unmetered.
 */
const SIGNATURE =
  /^AWS4-HMAC-SHA256 Credential=([A-Za-z0-9]+)\/\d{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, SignedHeaders=[^,\s]+, Signature=[0-9a-f]+$/;

/** Is this Authorization header a well-formed SigV4 signature? */
export const wellSigned = (headers: IncomingHttpHeaders) => SIGNATURE.test(String(headers.authorization ?? ""));

/** The region and service a request is signed for (SigV4's credential scope). */
export function credentialScope(headers: IncomingHttpHeaders): {
  accessKey?: string;
  region?: string;
  service?: string;
} {
  const match = SIGNATURE.exec(String(headers.authorization ?? ""));
  return { accessKey: match?.[1], region: match?.[2], service: match?.[3] };
}

/** The Kinesis operation this request is, as MiniStack would route it; undefined when it is not Kinesis. */
export function kinesisOperation(headers: IncomingHttpHeaders): string | undefined {
  const target = String(headers["x-amz-target"] ?? "");
  const kinesis =
    target.startsWith(KINESIS_TARGET) ||
    (!ROUTED_ELSEWHERE.some((prefix) => target.startsWith(prefix)) && credentialScope(headers).service === "kinesis");
  if (!kinesis) return undefined;
  return target.includes(".") ? target.slice(target.lastIndexOf(".") + 1) : "";
}

/** One record to put, as checked: its data's size is known, its key a string. */
export interface Entry {
  Data: string;
  PartitionKey: string;
  ExplicitHashKey?: string;
  /** Decoded data bytes. */
  dataBytes: number;
}

export interface KinesisCall {
  operation: string;
  /** Who signed it: each account's streams are apart, and an access key names the account (kinesis-engine.ts). */
  accessKey: string;
  region: string;
  /** The stream the call names ("" when it names none, as ListStreams). */
  stream: string;
  /** The parsed body, unchanged. */
  input: Record<string, unknown>;
  /** PutRecord: one entry; PutRecords: each entry, in request order. */
  entries: Entry[];
}

const ITERATOR_TYPES = ["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"];
const MAX_HASH_KEY = 2n ** 128n - 1n;
/** A hash key (ExplicitHashKey, NewStartingHashKey): a decimal number, and AWS's words for the rule. */
const HASH_KEY = /^(0|[1-9]\d{0,38})$/;
const HASH_KEY_RULE = "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})";
/** AWS's default shard quota per account in us-east-1, us-west-2 and eu-west-1 (200 in other regions). */
const ACCOUNT_SHARD_QUOTA = 500;

/** Parse and check a Kinesis call's body: the call, or the error AWS would answer. */
export function parseKinesisCall(operation: string, headers: IncomingHttpHeaders, body: Buffer): KinesisCall | Reply {
  if (String(headers["content-type"] ?? "").includes("cbor")) {
    return serializationError(
      "the workshop's local target reads Kinesis requests as JSON only, not CBOR: for the AWS SDK for Java set aws.cborEnabled=false (or AWS_CBOR_DISABLED=true)",
    );
  }
  let input: unknown;
  try {
    input = JSON.parse(body.toString("utf8") || "{}");
  } catch (error) {
    return serializationError(`the request body is not valid JSON (${(error as Error).message})`);
  }
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return serializationError("the request body must be a JSON object");
  }
  const fields = input as Record<string, unknown>;
  const call: KinesisCall = {
    operation,
    accessKey: credentialScope(headers).accessKey ?? "",
    region: credentialScope(headers).region ?? "us-east-1",
    stream: "",
    input: fields,
    entries: [],
  };
  const problem =
    checkUnicode(fields) ??
    checkWholeNumbers(fields) ??
    checkStream(fields, call) ??
    (operation === "PutRecord" ? checkEntry(fields, "", call) : undefined) ??
    (operation === "PutRecords" ? checkEntries(fields.Records, call) : undefined) ??
    (operation === "GetShardIterator" ? checkIteratorRequest(fields) : undefined) ??
    (operation === "GetRecords" ? checkRecordsRequest(fields) : undefined) ??
    checkShardCount(fields);
  return problem ?? call;
}

/** StreamName or StreamARN (MiniStack tries the name, then the ARN): both must name the same stream. */
function checkStream(fields: Record<string, unknown>, call: KinesisCall): Reply | undefined {
  const { StreamName: name, StreamARN: arn } = fields;
  if (name !== undefined && typeof name !== "string") return serializationError("StreamName must be a string");
  if (arn !== undefined && typeof arn !== "string") return serializationError("StreamARN must be a string");
  const fromArn = arn ? (/:stream\/([^/]+)$/.exec(arn)?.[1] ?? "") : "";
  if (name && arn && fromArn !== name) {
    return awsError(400, "InvalidArgumentException", `StreamName ${name} and StreamARN ${arn} name different streams`);
  }
  call.stream = name || fromArn;
  return undefined;
}

const isBase64 = (text: string) => text.length % 4 === 0 && !/[^A-Za-z0-9+/]/.test(text.replace(/={1,2}$/, ""));

/** One record's Data, PartitionKey and ExplicitHashKey; `at` is its path ("" for PutRecord, "records.N.member."). */
function checkEntry(entry: unknown, at: string, call: KinesisCall): Reply | undefined {
  if (entry === null || entry === undefined) return validationError(at.slice(0, -1), null, "Member must not be null");
  if (typeof entry !== "object" || Array.isArray(entry))
    return serializationError(`${at || "the body "}must be an object`);
  const { Data, PartitionKey, ExplicitHashKey } = entry as Record<string, unknown>;
  if (Data === undefined || Data === null) return validationError(`${at}data`, null, "Member must not be null");
  if (typeof Data !== "string" || !isBase64(Data)) return serializationError(`${at}data must be a base64 string`);
  if (PartitionKey === undefined || PartitionKey === null)
    return validationError(`${at}partitionKey`, null, "Member must not be null");
  if (typeof PartitionKey !== "string") return serializationError(`${at}partitionKey must be a string`);
  if (PartitionKey.length < 1 || PartitionKey.length > 256)
    return validationError(`${at}partitionKey`, PartitionKey, "Member must have length between 1 and 256");
  if (ExplicitHashKey !== undefined && ExplicitHashKey !== null) {
    if (typeof ExplicitHashKey !== "string") return serializationError(`${at}explicitHashKey must be a string`);
    if (!HASH_KEY.test(ExplicitHashKey)) return validationError(`${at}explicitHashKey`, ExplicitHashKey, HASH_KEY_RULE);
    if (BigInt(ExplicitHashKey) > MAX_HASH_KEY)
      return awsError(
        400,
        "InvalidArgumentException",
        `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${ExplicitHashKey}`,
      );
  }
  call.entries.push({
    Data,
    PartitionKey,
    ...(typeof ExplicitHashKey === "string" ? { ExplicitHashKey } : {}),
    dataBytes: Buffer.byteLength(Data, "base64"),
  });
  return undefined;
}

function checkEntries(records: unknown, call: KinesisCall): Reply | undefined {
  if (records === undefined || records === null) return validationError("records", null, "Member must not be null");
  if (!Array.isArray(records)) return serializationError("Records must be a list");
  if (records.length < 1 || records.length > 500)
    return validationError("records", `${records.length} records`, "Member must have length between 1 and 500");
  for (const [i, record] of records.entries()) {
    const problem = checkEntry(record, `records.${i + 1}.member.`, call);
    if (problem) return problem;
  }
  return undefined;
}

function checkIteratorRequest(fields: Record<string, unknown>): Reply | undefined {
  const { ShardId, ShardIteratorType, StartingSequenceNumber } = fields;
  if (typeof ShardId !== "string") return validationError("shardId", ShardId, "Member must not be null");
  if (ShardId.length < 1 || ShardId.length > 128)
    return validationError("shardId", ShardId, "Member must have length between 1 and 128");
  if (typeof ShardIteratorType !== "string" || !ITERATOR_TYPES.includes(ShardIteratorType))
    return validationError(
      "shardIteratorType",
      ShardIteratorType,
      `Member must satisfy enum value set: [${ITERATOR_TYPES.join(", ")}]`,
    );
  if (StartingSequenceNumber !== undefined && typeof StartingSequenceNumber !== "string")
    return serializationError("StartingSequenceNumber must be a string");
  // Digits only (MiniStack pads its sequence numbers with zeros, which AWS does not).
  if (ShardIteratorType.endsWith("SEQUENCE_NUMBER") && !/^\d{1,129}$/.test(StartingSequenceNumber ?? ""))
    return awsError(
      400,
      "InvalidArgumentException",
      `${ShardIteratorType} needs a StartingSequenceNumber of digits, got '${String(StartingSequenceNumber ?? "")}'`,
    );
  if (ShardIteratorType === "AT_TIMESTAMP" && Number.isNaN(new Date(fields.Timestamp as string | number).getTime()))
    return validationError(
      "timestamp",
      fields.Timestamp,
      "Member must be a timestamp (seconds since the epoch, or ISO 8601)",
    );
  return undefined;
}

function checkRecordsRequest(fields: Record<string, unknown>): Reply | undefined {
  const { ShardIterator, Limit } = fields;
  if (typeof ShardIterator !== "string")
    return validationError("shardIterator", ShardIterator, "Member must not be null");
  if (ShardIterator.length < 1 || ShardIterator.length > 512)
    return validationError("shardIterator", ShardIterator, "Member must have length between 1 and 512");
  if (Limit !== undefined && (!Number.isInteger(Limit) || (Limit as number) < 1 || (Limit as number) > 10000))
    return validationError("limit", Limit, "Member must have value between 1 and 10000");
  return undefined;
}

/** CreateStream's ShardCount and UpdateShardCount's TargetShardCount: whole numbers from 1, within the account's shards. */
function checkShardCount(fields: Record<string, unknown>): Reply | undefined {
  for (const [name, field] of [
    ["ShardCount", "shardCount"],
    ["TargetShardCount", "targetShardCount"],
  ] as const) {
    const value = fields[name];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || (value as number) < 1)
      return validationError(field, value, "Member must have value greater than or equal to 1");
    if ((value as number) > ACCOUNT_SHARD_QUOTA)
      return awsError(
        400,
        "LimitExceededException",
        `This request would exceed the shard limit for the account: the default quota is ${ACCOUNT_SHARD_QUOTA} shards per account (asked for ${value})`,
      );
  }
  return undefined;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A string with a lone surrogate is not Unicode: MiniStack fails on it with a 500, AWS refuses it as unreadable. */
function checkUnicode(value: unknown): Reply | undefined {
  if (typeof value === "string")
    return LONE_SURROGATE.test(value)
      ? serializationError("the request holds a string that is not valid Unicode (a lone surrogate)")
      : undefined;
  if (typeof value === "object" && value !== null)
    for (const item of Object.values(value)) {
      const problem = checkUnicode(item);
      if (problem) return problem;
    }
  return undefined;
}

/** Fields that are whole numbers in every Kinesis call that has them (MiniStack fails with a 500 on anything else). */
const WHOLE_NUMBERS = [
  "ShardCount",
  "TargetShardCount",
  "MaxResults",
  "Limit",
  "RetentionPeriodHours",
  "MaxRecordSizeInKiB",
];

function checkWholeNumbers(fields: Record<string, unknown>): Reply | undefined {
  for (const name of WHOLE_NUMBERS) {
    const value = fields[name];
    if (value !== undefined && !Number.isInteger(value))
      return validationError(name[0]!.toLowerCase() + name.slice(1), value, "Member must be a whole number");
  }
  const { NewStartingHashKey } = fields;
  if (
    NewStartingHashKey !== undefined &&
    !(typeof NewStartingHashKey === "string" && HASH_KEY.test(NewStartingHashKey))
  )
    return validationError("newStartingHashKey", NewStartingHashKey, HASH_KEY_RULE);
  return undefined;
}
