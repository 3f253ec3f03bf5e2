// The Lambda API's event source mapping calls, answered by the local target itself when the
// source is a Kinesis stream (MiniStack's own mapping retries a failing batch forever and
// ignores the settings below). Any client can use them unchanged: the lessons, the AWS CLI,
// boto3. Mappings for other sources (SQS, DynamoDB) are MiniStack's, passed on.
//
//   POST   /2015-03-31/event-source-mappings/          CreateEventSourceMapping
//   GET    /2015-03-31/event-source-mappings/?…        ListEventSourceMappings (ours, then MiniStack's)
//   GET    /2015-03-31/event-source-mappings/UUID      GetEventSourceMapping
//   PUT    /2015-03-31/event-source-mappings/UUID      UpdateEventSourceMapping
//   DELETE /2015-03-31/event-source-mappings/UUID      DeleteEventSourceMapping
import { randomUUID } from "node:crypto";
import type { Mapping, MappingConfig, MappingStore } from "./esm-store.js";
import { jsonReply, type Reply } from "./replies.js";

const PATH = /^\/2015-03-31\/event-source-mappings\/?([^/?]*)(\?.*)?$/;

/** What the API needs from the rest of the endpoint. */
export interface MappingApiDeps {
  store: MappingStore;
  /** The function's ARN (name, ARN or partial ARN given), or undefined when there is no such function. */
  functionArn(name: string): Promise<string | undefined>;
  /** Whether the stream of this ARN exists. */
  streamExists(arn: string): Promise<boolean>;
  /** MiniStack's own mappings for this list query (the other sources'). */
  otherMappings(query: string): Promise<unknown[]>;
  /** A mapping was created, changed or deleted: start, restart or stop its pollers. */
  changed(uuid: string): void;
}

/** Lambda's errors: the type in x-amzn-errortype, and {Type, message} in the body. */
const lambdaError = (status: number, type: string, message: string): Reply => ({
  status,
  headers: { "content-type": "application/json", "x-amzn-errortype": type },
  body: JSON.stringify({ Type: "User", message }),
});
const invalid = (message: string) => lambdaError(400, "InvalidParameterValueException", message);

/** Is this request an event source mapping call? */
export const isMappingCall = (path: string) => PATH.test(path);

/** A Kinesis stream's ARN: arn:aws:kinesis:REGION:ACCOUNT:stream/NAME. */
const isKinesisArn = (arn: unknown) =>
  typeof arn === "string" && /^arn:aws[\w-]*:kinesis:[\w-]+:\d{12}:stream\/./.test(arn);

/**
 * Answer an event source mapping call, or return "forward" when it is MiniStack's to
 * answer (a source that is not a Kinesis stream, a UUID that is not ours).
 */
export async function answerMappingCall(
  method: string,
  path: string,
  body: Buffer,
  deps: MappingApiDeps,
): Promise<Reply | "forward"> {
  const [, uuid = "", query = ""] = PATH.exec(path) ?? [];
  let input: Record<string, unknown> = {};
  try {
    if (body.length > 0) input = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
  } catch {
    return lambdaError(400, "InvalidRequestContentException", "Could not parse request body into json");
  }
  if (method === "POST" && !uuid) return isKinesisArn(input.EventSourceArn) ? create(input, deps) : "forward";
  if (method === "GET" && !uuid) return list(query, deps);
  const mapping = deps.store.get(uuid);
  if (!mapping) return "forward";
  if (method === "GET") return jsonReply(view(mapping));
  if (method === "PUT") return update(mapping, input, deps);
  if (method === "DELETE") {
    deps.store.delete(uuid);
    deps.changed(uuid);
    return jsonReply({ ...view(mapping), State: "Deleting", StateTransitionReason: "USER_INITIATED" }, 202);
  }
  return lambdaError(405, "InvalidRequestContentException", `${method} is not an event source mapping call`);
}

async function create(input: Record<string, unknown>, deps: MappingApiDeps): Promise<Reply> {
  const FunctionArn = await deps.functionArn(String(input.FunctionName ?? ""));
  if (!FunctionArn) return lambdaError(404, "ResourceNotFoundException", `Function not found: ${input.FunctionName}`);
  const EventSourceArn = String(input.EventSourceArn);
  if (!(await deps.streamExists(EventSourceArn))) return invalid(`Stream not found: ${EventSourceArn}`);
  const twin = deps.store.all().find((m) => m.EventSourceArn === EventSourceArn && m.FunctionArn === FunctionArn);
  if (twin) {
    return lambdaError(
      409,
      "ResourceConflictException",
      `An event source mapping with Kinesis arn (" ${EventSourceArn} ") and function (" ${FunctionArn} ") already exists. Please update or delete the existing mapping with UUID ${twin.UUID}`,
    );
  }
  if (!["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"].includes(String(input.StartingPosition))) {
    return invalid("StartingPosition must be TRIM_HORIZON, LATEST or AT_TIMESTAMP for a Kinesis stream");
  }
  const defaults: Omit<MappingConfig, "UUID" | "EventSourceArn" | "FunctionArn" | "StartingPosition"> = {
    BatchSize: 100,
    MaximumBatchingWindowInSeconds: 0,
    ParallelizationFactor: 1,
    MaximumRetryAttempts: -1,
    MaximumRecordAgeInSeconds: -1,
    BisectBatchOnFunctionError: false,
    FunctionResponseTypes: [],
    DestinationConfig: { OnSuccess: {}, OnFailure: {} },
    TumblingWindowInSeconds: 0,
    Enabled: true,
  };
  const settings = { ...defaults, ...pickSettings(input) };
  const problem = checkSettings(settings);
  if (problem) return invalid(problem);
  const mapping: Mapping = {
    UUID: randomUUID(),
    EventSourceArn,
    FunctionArn,
    StartingPosition: input.StartingPosition as MappingConfig["StartingPosition"],
    ...(input.StartingPositionTimestamp === undefined
      ? {}
      : { StartingPositionTimestamp: Number(input.StartingPositionTimestamp) }),
    ...settings,
    State: settings.Enabled ? "Creating" : "Disabled",
    StateTransitionReason: "USER_INITIATED",
    LastModified: Date.now() / 1000,
    LastProcessingResult: "No records processed",
    checkpoints: {},
    finishedShards: [],
  };
  deps.store.put(mapping);
  deps.changed(mapping.UUID);
  return jsonReply(view(mapping), 202);
}

async function update(mapping: Mapping, input: Record<string, unknown>, deps: MappingApiDeps): Promise<Reply> {
  const settings = { ...mapping, ...pickSettings(input) };
  const problem = checkSettings(settings);
  if (problem) return invalid(problem);
  if (input.FunctionName !== undefined) {
    const FunctionArn = await deps.functionArn(String(input.FunctionName));
    if (!FunctionArn) return lambdaError(404, "ResourceNotFoundException", `Function not found: ${input.FunctionName}`);
    settings.FunctionArn = FunctionArn;
  }
  const state = settings.Enabled === mapping.Enabled ? "Updating" : settings.Enabled ? "Enabling" : "Disabling";
  const updated: Mapping = {
    ...settings,
    State: state,
    StateTransitionReason: "USER_INITIATED",
    LastModified: Date.now() / 1000,
  };
  deps.store.put(updated);
  deps.changed(updated.UUID);
  return jsonReply(view(updated), 202);
}

async function list(query: string, deps: MappingApiDeps): Promise<Reply> {
  const params = new URLSearchParams(query.replace(/^\?/, ""));
  const source = params.get("EventSourceArn");
  const name = params.get("FunctionName");
  const ours = deps.store
    .all()
    .filter((m) => !source || m.EventSourceArn === source)
    .filter((m) => !name || m.FunctionArn === name || m.FunctionArn.split(":").at(-1) === name)
    .map(view);
  const theirs = source && isKinesisArn(source) ? [] : await deps.otherMappings(query);
  return jsonReply({ EventSourceMappings: [...ours, ...theirs] });
}

/** The settings a Create or Update may give; anything else in the body is ignored. */
function pickSettings(input: Record<string, unknown>): Partial<MappingConfig> {
  const keys = [
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "ParallelizationFactor",
    "MaximumRetryAttempts",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "FunctionResponseTypes",
    "TumblingWindowInSeconds",
    "Enabled",
  ] as const;
  const picked: Record<string, unknown> = {};
  for (const key of keys) if (input[key] !== undefined && input[key] !== null) picked[key] = input[key];
  const onFailure = (input.DestinationConfig as MappingConfig["DestinationConfig"] | undefined)?.OnFailure;
  if (onFailure) picked.DestinationConfig = { OnSuccess: {}, OnFailure: onFailure };
  return picked as Partial<MappingConfig>;
}

/** The ranges the Lambda API documents for a Kinesis source; the first one broken, if any. */
export function checkSettings(s: Omit<MappingConfig, "UUID" | "EventSourceArn" | "FunctionArn" | "StartingPosition">) {
  const whole = (n: unknown) => Number.isInteger(n);
  if (!whole(s.BatchSize) || s.BatchSize < 1 || s.BatchSize > 10_000) return "BatchSize must be from 1 to 10000";
  if (
    !whole(s.MaximumBatchingWindowInSeconds) ||
    s.MaximumBatchingWindowInSeconds < 0 ||
    s.MaximumBatchingWindowInSeconds > 300
  )
    return "MaximumBatchingWindowInSeconds must be from 0 to 300";
  if (!whole(s.ParallelizationFactor) || s.ParallelizationFactor < 1 || s.ParallelizationFactor > 10)
    return "ParallelizationFactor must be from 1 to 10";
  if (!whole(s.MaximumRetryAttempts) || s.MaximumRetryAttempts < -1 || s.MaximumRetryAttempts > 10_000)
    return "MaximumRetryAttempts must be -1 (forever) or from 0 to 10000";
  const age = s.MaximumRecordAgeInSeconds;
  if (!whole(age) || !(age === -1 || (age >= 60 && age <= 604_800)))
    return "MaximumRecordAgeInSeconds must be -1 (forever) or from 60 to 604800";
  if (!Array.isArray(s.FunctionResponseTypes) || s.FunctionResponseTypes.some((t) => t !== "ReportBatchItemFailures"))
    return "FunctionResponseTypes may hold only ReportBatchItemFailures";
  if (s.TumblingWindowInSeconds !== 0) return "TumblingWindowInSeconds is not supported by the local target";
  const destination = s.DestinationConfig.OnFailure.Destination;
  if (destination !== undefined && !/^arn:aws[\w-]*:(sqs|sns):/.test(destination))
    return "DestinationConfig.OnFailure.Destination must be an SQS queue or SNS topic ARN on the local target";
  return undefined;
}

/** A mapping as GetEventSourceMapping answers: its configuration and state, without the poller's bookkeeping. */
export function view(mapping: Mapping): Record<string, unknown> {
  const { checkpoints: _checkpoints, finishedShards: _finished, Enabled: _enabled, ...shown } = mapping;
  const [, partition, , region, account] = mapping.FunctionArn.split(":");
  const EventSourceMappingArn = `arn:${partition}:lambda:${region}:${account}:event-source-mapping:${mapping.UUID}`;
  return { ...shown, EventSourceMappingArn };
}
