// What the live view reads beyond the stream itself: the CloudWatch metrics on AWS (the
// stream's and the function's, per minute), and the class (every workshop stream on the
// target, and how far its owner got). Read-only calls only, through the view's clients.
import { GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { ListTagsForStreamCommand, paginateListStreams } from "@aws-sdk/client-kinesis";
import { ListEventSourceMappingsCommand, paginateListFunctions } from "@aws-sdk/client-lambda";
import { resourceNames } from "../05-lambda-function/names.js";
import { WORKSHOP_TAG } from "../shared/targets.js";
import type { ViewClients } from "./clients.js";
import { leaseTableOf } from "./kcl-tables.js";
import type { ClassmateView, LambdaView, RatePoint, ShardView } from "./snapshot.js";

/** Lesson 05 names its function after the stream. */
const functionOf = (stream: string) => resourceNames(stream).functionName;

/** On AWS: the stream's and the function's CloudWatch metrics, per minute, for the last 30 minutes. */
export async function readStreamMetrics(
  clients: ViewClients,
  streamName: string,
): Promise<{
  shards: ShardView[];
  readersIteratorAgeMs?: number;
  lambda: Partial<LambdaView>;
}> {
  const stream = [{ Name: "StreamName", Value: streamName }];
  const fn = [{ Name: "FunctionName", Value: functionOf(streamName) }];
  const query = (
    Id: string,
    Namespace: string,
    MetricName: string,
    Dimensions: typeof stream,
    Stat = "Sum",
  ): MetricDataQuery => ({
    Id,
    MetricStat: { Metric: { Namespace, MetricName, Dimensions }, Period: 60, Stat },
  });
  const { MetricDataResults = [] } = await clients.cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(Date.now() - 30 * 60_000),
      EndTime: new Date(),
      ScanBy: "TimestampAscending",
      MetricDataQueries: [
        query("records", "AWS/Kinesis", "IncomingRecords", stream),
        query("bytes", "AWS/Kinesis", "IncomingBytes", stream),
        query("writesThrottled", "AWS/Kinesis", "WriteProvisionedThroughputExceeded", stream),
        query("reads", "AWS/Kinesis", "GetRecords.Success", stream),
        query("readsThrottled", "AWS/Kinesis", "ReadProvisionedThroughputExceeded", stream),
        query("iteratorAge", "AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", stream, "Maximum"),
        query("invocations", "AWS/Lambda", "Invocations", fn),
        query("errors", "AWS/Lambda", "Errors", fn),
        query("lambdaIteratorAge", "AWS/Lambda", "IteratorAge", fn, "Maximum"),
      ],
    }),
  );
  const series = new Map(
    MetricDataResults.map((r) => [
      r.Id!,
      (r.Timestamps ?? []).map((t, i) => [t.getTime(), r.Values?.[i] ?? 0] as const),
    ]),
  );
  const value = (id: string, at: number) => series.get(id)?.find(([t]) => t === at)?.[1] ?? 0;
  const sum = (id: string) => (series.get(id) ?? []).reduce((n, [, v]) => n + v, 0);
  const times = [...new Set([...(series.get("records") ?? []), ...(series.get("reads") ?? [])].map(([t]) => t))].sort(
    (a, b) => a - b,
  );
  const history: RatePoint[] = times.map((at) => ({
    at,
    records: value("records", at) / 60,
    bytes: value("bytes", at) / 60,
    writesThrottled: value("writesThrottled", at) / 60,
    reads: value("reads", at) / 60,
    readsThrottled: value("readsThrottled", at) / 60,
  }));
  const totals = {
    recordsIn: sum("records"),
    bytesIn: sum("bytes"),
    writesThrottled: sum("writesThrottled"),
    reads: sum("reads"),
    readsThrottled: sum("readsThrottled"),
  };
  const latest = (id: string) => series.get(id)?.at(-1)?.[1];
  return {
    // One chart for the whole stream: open, and refusals per second over its last minute.
    shards: [
      {
        shardId: "all shards (stream metrics, last 30 min)",
        open: true,
        drained: false,
        history,
        refusedPerSecond: history.at(-1)?.writesThrottled ?? 0,
        totals,
      },
    ],
    readersIteratorAgeMs: latest("iteratorAge"),
    lambda: { invocations: sum("invocations"), errors: sum("errors"), iteratorAgeMs: latest("lambdaIteratorAge") },
  };
}

/** Every workshop stream on the target (by tag, or with a lease table or function of the workshop's names), and how far its owner got. */
export async function readClassmates(
  clients: ViewClients,
  { stream, onAws, tables }: { stream: string; onAws: boolean; tables: string[] },
): Promise<ClassmateView[]> {
  const streams: { name: string; arn: string }[] = [];
  for await (const page of paginateListStreams({ client: clients.kinesis }, {}))
    for (const s of page.StreamSummaries ?? [])
      if (s.StreamName && s.StreamStatus !== "DELETING") streams.push({ name: s.StreamName, arn: s.StreamARN ?? "" });
  const functions = new Set<string>();
  for await (const page of paginateListFunctions({ client: clients.lambda }, {}))
    for (const f of page.Functions ?? []) if (f.FunctionName) functions.add(f.FunctionName);
  const { EventSourceMappings = [] } = await clients.lambda.send(new ListEventSourceMappingsCommand({}));
  const mapped = new Set(EventSourceMappings.map((m) => m.EventSourceArn));

  const classmates: ClassmateView[] = [];
  for (const { name, arn } of streams) {
    const leaseTables = tables.filter((t) => leaseTableOf(t, name));
    const hasFunction = functions.has(functionOf(name));
    let ours = name === stream || leaseTables.length > 0 || hasFunction;
    if (!ours) {
      const tags = await clients.kinesis
        .send(new ListTagsForStreamCommand({ StreamName: name }))
        .catch(() => ({ Tags: [] }));
      ours = (tags.Tags ?? []).some((t) => t.Key === WORKSHOP_TAG.key && t.Value === WORKSHOP_TAG.value);
    }
    if (!ours || name.endsWith("-copies")) continue;
    let leases = 0;
    for (const table of leaseTables)
      leases += (await clients.dynamodb.send(new ScanCommand({ TableName: table, Select: "COUNT" }))).Count ?? 0;
    classmates.push({ stream: name, records: undefined, leases, hasFunction, hasMapping: mapped.has(arn) });
  }
  if (onAws && classmates.length > 0) await classRecordsFromMetrics(clients, classmates);
  return classmates.sort((a, b) => a.stream.localeCompare(b.stream));
}

/** On AWS: records put into each classmate's stream in the last hour (IncomingRecords). */
async function classRecordsFromMetrics(clients: ViewClients, classmates: ClassmateView[]): Promise<void> {
  const { MetricDataResults = [] } = await clients.cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(Date.now() - 60 * 60_000),
      EndTime: new Date(),
      MetricDataQueries: classmates.slice(0, 500).map((c, i) => ({
        Id: `s${i}`,
        MetricStat: {
          Metric: {
            Namespace: "AWS/Kinesis",
            MetricName: "IncomingRecords",
            Dimensions: [{ Name: "StreamName", Value: c.stream }],
          },
          Period: 3600,
          Stat: "Sum",
        },
      })),
    }),
  );
  for (const result of MetricDataResults) {
    const classmate = classmates[Number(result.Id!.slice(1))];
    if (classmate) classmate.records = (result.Values ?? []).reduce((n, v) => n + v, 0);
  }
}
