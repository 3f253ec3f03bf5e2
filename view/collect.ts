// Gathering what the live view shows, once a second, without ever reading the stream.
//
// On the emulator targets the limits layer (local/endpoint.ts) has counted every
// request per shard, and kept the last records put: the view asks it for those counters
// and turns them into rates. Everything else comes from Describe/List/Get/Scan/Filter
// calls. On AWS the rates come from CloudWatch metrics instead, per minute; the view
// never calls GetRecords there, so it takes no read capacity from the students.
import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { FilterLogEventsCommand, type CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { paginateListTables, ScanCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamSummaryCommand,
  ListStreamsCommand,
  ListTagsForStreamCommand,
  type KinesisClient,
} from "@aws-sdk/client-kinesis";
import { ListEventSourceMappingsCommand, ListFunctionsCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { cloudWatchClient, dynamoDBClient, kinesisClient, lambdaClient, logsClient } from "../shared/clients.js";
import type { LayerStats } from "../local/stats.js";
import { SEEN_LINES } from "../05-lambda-function/names.js";
import { resourceNames } from "../05-lambda-function/names.js";
import type { TargetOptions } from "../shared/options.js";
import { WORKSHOP_TAG } from "../shared/targets.js";
import { listAllShards, percentiles } from "../shared/records.js";
import {
  assertReadOnly,
  type ClassmateView,
  type LambdaView,
  type LeaseView,
  type MappingView,
  type RatePoint,
  type Snapshot,
  type ShardRange,
  type ShardView,
} from "./snapshot.js";

export interface ViewClients {
  kinesis: KinesisClient;
  dynamodb: DynamoDBClient;
  lambda: LambdaClient;
  logs: CloudWatchLogsClient;
  cloudwatch: CloudWatchClient;
}

/**
 * The view's clients, each with a guard in front of every call: a command that is not a
 * Describe/List/Get/Scan/Filter read, or that reads records (GetRecords), never leaves.
 */
export function viewClients(options: TargetOptions): ViewClients {
  const clients = {
    kinesis: kinesisClient(options),
    dynamodb: dynamoDBClient(options),
    lambda: lambdaClient(options),
    logs: logsClient(options),
    cloudwatch: cloudWatchClient(options),
  };
  for (const client of Object.values(clients)) {
    client.middlewareStack.add(
      (next, context) => (args) => {
        assertReadOnly(String(context.commandName));
        return next(args);
      },
      { step: "initialize", name: "readOnlyGuard" },
    );
  }
  return clients;
}

/** Lesson 04's lease tables are named workshop-kcl-TARGET-STREAM; lesson 05 names its function after the stream. */
const leaseTableOf = (table: string, stream: string) =>
  table.startsWith("workshop-kcl-") && table.endsWith(`-${stream}`);
const functionOf = (stream: string) => resourceNames(stream).functionName;
const HISTORY_POINTS = 60;

/** Run `work` at most every `everyMs`, keeping its last answer (and the last one that worked, on a failure). */
function every<T>(everyMs: number, work: () => Promise<T>, fallback: T): () => Promise<T> {
  let last = fallback;
  let at = 0;
  return async () => {
    if (Date.now() - at >= everyMs) {
      at = Date.now();
      last = await work().catch(() => last);
    }
    return last;
  };
}

export class ViewCollector {
  private readonly onAws: boolean;
  private readonly startedAt = Date.now();
  private previous: LayerStats | undefined;
  private readonly history = new Map<string, RatePoint[]>();
  private streamArn: string | undefined;
  private readonly seenEvents = new Set<string>();
  private readonly latencies: number[] = [];
  private handled = 0;
  private invocations = 0;
  private starts = 0;
  private eventsHandling = 0;
  private errors = 0;
  private logsFrom = Date.now() - 10 * 60_000;

  constructor(
    private readonly options: TargetOptions,
    private readonly clients: ViewClients,
    /** The limits layer's counters (emulator targets); undefined where there is no layer. */
    private readonly layerStats: () => Promise<LayerStats | undefined>,
  ) {
    this.onAws = options.target === "aws";
  }

  private readonly description = every(5000, () => this.describe(), {
    found: false,
    message: "looking for the stream…",
  } as Snapshot["description"]);
  private readonly leasesEvery = every(1000, () => this.readLeases(), [] as LeaseView[]);
  private readonly mappingsEvery = every(3000, () => this.readMappings(), [] as MappingView[]);
  private readonly logsEvery = every(2000, () => this.readLogs(), undefined);
  private readonly metricsEvery = every(60_000, () => this.readMetrics(), {
    shards: [] as ShardView[],
    lambda: {} as Partial<LambdaView>,
  });
  private readonly classEvery = every(10_000, () => this.readClass(), [] as ClassmateView[]);

  async snapshot(): Promise<Snapshot> {
    const { stream, target, region } = this.options;
    const [description, stats] = await Promise.all([
      this.description(),
      this.onAws ? undefined : this.layerStats().catch(() => undefined),
    ]);
    const [leases, mappings, , metrics, classmates] = await Promise.all([
      this.leasesEvery(),
      this.mappingsEvery(),
      this.logsEvery(),
      this.onAws ? this.metricsEvery() : undefined,
      this.classEvery(),
    ]);
    const shards = this.onAws ? (metrics?.shards ?? []) : this.rates(stats);
    const lastSequence = new Map(
      (stats?.shards ?? []).filter((s) => s.stream === stream).map((s) => [s.shardId, s.lastSequenceNumber]),
    );
    const { median, p95 } = percentiles(this.latencies.slice(-500));
    const notes = this.onAws
      ? [
          "AWS: rates are CloudWatch metrics, one point a minute, for the whole stream (per-shard metrics need enhanced monitoring).",
          "The page does not sample records on AWS: it never calls GetRecords, so it takes no read capacity from your consumers.",
        ]
      : stats
        ? [
            `Updated every second from the limits layer (${stats.limits ? "AWS shard limits on" : "limits off: counting only"}).`,
          ]
        : [
            "No limits layer on this target: shard rates and records are not available, only what Describe/List calls show.",
          ];
    return {
      at: Date.now(),
      target,
      region,
      stream,
      granularity: this.onAws ? "1 min" : "1 s",
      notes,
      description,
      limits: stats?.limits,
      shards,
      recent: this.onAws ? null : [...(stats?.recent[`${region}/${stream}`] ?? [])].reverse(),
      readersIteratorAgeMs: metrics?.readersIteratorAgeMs,
      leases: leases.map((lease) => ({
        ...lease,
        progress: leaseProgress(lease.checkpoint, lastSequence.get(lease.shard)),
      })),
      lambda: {
        mappings,
        invocations: this.onAws ? metrics?.lambda.invocations : this.invocations,
        errors: this.onAws ? metrics?.lambda.errors : this.errors,
        recordsHandled: this.handled,
        latencyMedianMs: this.latencies.length ? median : undefined,
        latencyP95Ms: this.latencies.length ? p95 : undefined,
        iteratorAgeMs: metrics?.lambda.iteratorAgeMs,
      },
      classmates: classmates.map((c) => ({
        ...c,
        records: this.onAws
          ? c.records
          : (stats?.shards ?? [])
              .filter((s) => s.stream === c.stream && s.region === region)
              .reduce((n, s) => n + s.recordsIn, 0),
      })),
    };
  }

  /** Per-second rates from two readings of the layer's counters, a minute of history per shard. */
  private rates(stats: LayerStats | undefined): ShardView[] {
    if (!stats) return [];
    const before = new Map((this.previous?.shards ?? []).map((s) => [`${s.region}/${s.stream}/${s.shardId}`, s]));
    const seconds = this.previous ? Math.max(0.001, (stats.at - this.previous.at) / 1000) : 1;
    const views: ShardView[] = [];
    for (const shard of stats.shards) {
      if (shard.stream !== this.options.stream || shard.region !== this.options.region) continue;
      const key = `${shard.region}/${shard.stream}/${shard.shardId}`;
      const old = before.get(key);
      const history = this.history.get(key) ?? [];
      if (this.previous) {
        const per = (now: number, then = 0) => Math.max(0, (now - then) / seconds);
        history.push({
          at: stats.at,
          records: per(shard.recordsIn, old?.recordsIn),
          bytes: per(shard.bytesIn, old?.bytesIn),
          writesThrottled: per(shard.writesThrottled, old?.writesThrottled),
          reads: per(shard.reads, old?.reads),
          readsThrottled: per(shard.readsThrottled, old?.readsThrottled),
        });
      }
      this.history.set(key, history.slice(-HISTORY_POINTS));
      const { recordsIn, bytesIn, writesThrottled, reads, readsThrottled } = shard;
      views.push({
        shardId: shard.shardId,
        history: this.history.get(key)!,
        totals: { recordsIn, bytesIn, writesThrottled, reads, readsThrottled },
      });
    }
    this.previous = stats;
    return views.sort((a, b) => a.shardId.localeCompare(b.shardId));
  }

  private async describe(): Promise<Snapshot["description"]> {
    const StreamName = this.options.stream;
    try {
      const { StreamDescriptionSummary: s } = await this.clients.kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName }),
      );
      this.streamArn = s?.StreamARN;
      const shards: ShardRange[] = (await listAllShards(this.clients.kinesis, StreamName)).map((shard) => ({
        shardId: shard.ShardId!,
        startingHashKey: shard.HashKeyRange?.StartingHashKey ?? "0",
        endingHashKey: shard.HashKeyRange?.EndingHashKey ?? "0",
        open: !shard.SequenceNumberRange?.EndingSequenceNumber,
      }));
      return {
        found: true,
        status: s?.StreamStatus ?? "?",
        mode: s?.StreamModeDetails?.StreamMode ?? "PROVISIONED",
        retentionHours: s?.RetentionPeriodHours,
        shards,
      };
    } catch (error) {
      if ((error as Error).name === "ResourceNotFoundException") {
        return { found: false, message: `no stream ${StreamName} on ${this.options.target} yet: run lesson 01` };
      }
      throw error;
    }
  }

  private async tableNames(): Promise<string[]> {
    const names: string[] = [];
    for await (const page of paginateListTables({ client: this.clients.dynamodb }, {}))
      names.push(...(page.TableNames ?? []));
    return names;
  }

  private async readLeases(): Promise<LeaseView[]> {
    const tables = (await this.tableNames()).filter((t) => leaseTableOf(t, this.options.stream));
    const leases: LeaseView[] = [];
    for (const table of tables) {
      const { Items = [] } = await this.clients.dynamodb.send(new ScanCommand({ TableName: table }));
      for (const item of Items) {
        leases.push({
          application: table,
          shard: item.leaseKey?.S ?? "?",
          owner: item.leaseOwner?.S ?? "(none)",
          checkpoint: item.checkpoint?.S ?? "",
          leaseCounter: item.leaseCounter?.N ?? "",
          progress: "",
        });
      }
    }
    return leases.sort((a, b) => `${a.application}/${a.shard}`.localeCompare(`${b.application}/${b.shard}`));
  }

  private async readMappings(): Promise<MappingView[]> {
    if (!this.streamArn) return [];
    const { EventSourceMappings = [] } = await this.clients.lambda.send(
      new ListEventSourceMappingsCommand({ EventSourceArn: this.streamArn }),
    );
    return EventSourceMappings.map((m) => ({
      uuid: m.UUID ?? "?",
      functionName: m.FunctionArn?.split(":").at(-1) ?? "?",
      state: m.State ?? "?",
      batchSize: m.BatchSize,
      lastProcessingResult: m.LastProcessingResult ?? "",
    }));
  }

  /** The function's log lines since the view started (and 10 minutes before): handled records, latency, invocations, errors. */
  private async readLogs(): Promise<undefined> {
    const { logGroupName } = resourceNames(this.options.stream);
    let nextToken: string | undefined;
    do {
      const page = await this.clients.logs.send(
        new FilterLogEventsCommand({ logGroupName, startTime: this.logsFrom, nextToken }),
      );
      for (const event of page.events ?? []) {
        const id = event.eventId ?? `${event.logStreamName}/${event.timestamp}/${event.message}`;
        if (this.seenEvents.has(id)) continue;
        this.seenEvents.add(id);
        const message = event.message ?? "";
        const seen = [...message.matchAll(SEEN_LINES)];
        for (const [, , , latency] of seen) this.latencies.push(Number(latency));
        this.handled += seen.length;
        // Lambda logs a START line for each invocation; where a target writes none, count the events that handled records.
        this.starts += message.match(/\bSTART RequestId/g)?.length ?? 0;
        this.eventsHandling += seen.length > 0 ? 1 : 0;
        this.invocations = this.starts || this.eventsHandling;
        this.errors += message.match(/"errorType"|Task timed out|\tERROR\t|Invoke Error/g)?.length ?? 0;
      }
      nextToken = page.nextToken;
    } while (nextToken);
    if (this.latencies.length > 5000) this.latencies.splice(0, this.latencies.length - 5000);
    return undefined;
  }

  /** On AWS: the stream's and the function's CloudWatch metrics, per minute, for the last 30 minutes. */
  private async readMetrics(): Promise<{
    shards: ShardView[];
    readersIteratorAgeMs?: number;
    lambda: Partial<LambdaView>;
  }> {
    const stream = [{ Name: "StreamName", Value: this.options.stream }];
    const fn = [{ Name: "FunctionName", Value: functionOf(this.options.stream) }];
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
    const { MetricDataResults = [] } = await this.clients.cloudwatch.send(
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
      shards: [{ shardId: "all shards (stream metrics, last 30 min)", history, totals }],
      readersIteratorAgeMs: latest("iteratorAge"),
      lambda: { invocations: sum("invocations"), errors: sum("errors"), iteratorAgeMs: latest("lambdaIteratorAge") },
    };
  }

  /** Every workshop stream on the target (by tag, or with a lease table or function of the workshop's names), and how far its owner got. */
  private async readClass(): Promise<ClassmateView[]> {
    const streams: { name: string; arn: string }[] = [];
    let ExclusiveStartStreamName: string | undefined;
    for (;;) {
      const page = await this.clients.kinesis.send(
        new ListStreamsCommand(ExclusiveStartStreamName ? { ExclusiveStartStreamName } : {}),
      );
      for (const s of page.StreamSummaries ?? [])
        if (s.StreamName && s.StreamStatus !== "DELETING") streams.push({ name: s.StreamName, arn: s.StreamARN ?? "" });
      if (!page.HasMoreStreams || !streams.length) break;
      ExclusiveStartStreamName = streams.at(-1)!.name;
    }
    const tables = await this.tableNames();
    const functions = new Set<string>();
    let Marker: string | undefined;
    do {
      const page = await this.clients.lambda.send(new ListFunctionsCommand(Marker ? { Marker } : {}));
      for (const f of page.Functions ?? []) if (f.FunctionName) functions.add(f.FunctionName);
      Marker = page.NextMarker;
    } while (Marker);
    const { EventSourceMappings = [] } = await this.clients.lambda.send(new ListEventSourceMappingsCommand({}));
    const mapped = new Set(EventSourceMappings.map((m) => m.EventSourceArn));

    const classmates: ClassmateView[] = [];
    for (const { name, arn } of streams) {
      const leaseTables = tables.filter((t) => leaseTableOf(t, name));
      const hasFunction = functions.has(functionOf(name));
      let ours = name === this.options.stream || leaseTables.length > 0 || hasFunction;
      if (!ours) {
        const tags = await this.clients.kinesis
          .send(new ListTagsForStreamCommand({ StreamName: name }))
          .catch(() => ({ Tags: [] }));
        ours = (tags.Tags ?? []).some((t) => t.Key === WORKSHOP_TAG.key && t.Value === WORKSHOP_TAG.value);
      }
      if (!ours || name.endsWith("-copies")) continue;
      let leases = 0;
      for (const table of leaseTables)
        leases += (await this.clients.dynamodb.send(new ScanCommand({ TableName: table, Select: "COUNT" }))).Count ?? 0;
      classmates.push({ stream: name, records: undefined, leases, hasFunction, hasMapping: mapped.has(arn) });
    }
    if (this.onAws && classmates.length > 0) await this.classRecordsFromMetrics(classmates);
    return classmates.sort((a, b) => a.stream.localeCompare(b.stream));
  }

  /** On AWS: records put into each classmate's stream in the last hour (IncomingRecords). */
  private async classRecordsFromMetrics(classmates: ClassmateView[]): Promise<void> {
    const { MetricDataResults = [] } = await this.clients.cloudwatch.send(
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

  /** How long the view has run: for tests and the page's footer. */
  get uptimeMs(): number {
    return Date.now() - this.startedAt;
  }
}

/** A lease's progress: its checkpoint against the newest record the layer saw stored in its shard. */
export function leaseProgress(checkpoint: string, lastSequenceNumber: string | undefined): string {
  if (checkpoint === "SHARD_END") return "shard ended";
  if (checkpoint === "TRIM_HORIZON" || checkpoint === "LATEST" || checkpoint === "AT_TIMESTAMP") return "not started";
  if (!/^\d+$/.test(checkpoint) || !lastSequenceNumber) return "";
  return BigInt(checkpoint) >= BigInt(lastSequenceNumber) ? "caught up" : "behind";
}
