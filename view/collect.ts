import type { FilteredLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeStreamSummaryCommand } from "@aws-sdk/client-kinesis";
import { ListEventSourceMappingsCommand } from "@aws-sdk/client-lambda";
import type { LayerStats } from "../local/stats.js";
import { readClassmates, readStreamMetrics } from "./aws-and-class.js";
import { readKclTables, tableNames } from "./kcl-tables.js";
import type { ViewClients } from "./clients.js";
import { followLogEvents } from "../05-lambda-function/log-events.js";
import { resourceNames, SEEN_LINES } from "../05-lambda-function/names.js";
import type { TargetOptions } from "../shared/options.js";
import { listAllShards, percentiles } from "../shared/records.js";
import type {
  ClassmateView,
  KclWorkerView,
  LeaseView,
  LambdaView,
  MappingView,
  RatePoint,
  Snapshot,
  ShardView,
} from "./snapshot.js";
import { leaseProgress, recentRate, shardRange, withShardMap, withWork } from "./shard-state.js";

const HISTORY_POINTS = 60;

/** Run `work` at most every `everyMs`, keeping its last answer (and the last one that worked, on a failure). */
function every<T>(everyMs: number | (() => number), work: () => Promise<T>, fallback: T): () => Promise<T> {
  let last = fallback;
  let at = 0;
  return async () => {
    if (Date.now() - at >= (typeof everyMs === "number" ? everyMs : everyMs())) {
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
  private readonly latencies: number[] = [];
  private handled = 0;
  private invocations = 0;
  private starts = 0;
  private eventsHandling = 0;
  private errors = 0;
  /** The function's log events since the view started (and 10 minutes before). */
  private readonly newLogEvents: () => Promise<FilteredLogEvent[]>;

  constructor(
    private readonly options: TargetOptions,
    private readonly clients: ViewClients,
    /** The limits layer's counters (emulator targets); undefined where there is no layer. */
    private readonly layerStats: () => Promise<LayerStats | undefined>,
  ) {
    this.onAws = options.target === "aws";
    this.newLogEvents = followLogEvents(clients.logs, resourceNames(options.stream).logGroupName, {
      startTime: Date.now() - 10 * 60_000,
    });
  }

  // The shard map: every second off AWS (a reshard shows at once); every 5 s on AWS, where
  // DescribeStreamSummary allows 20 calls a second for the whole account, the class's views included.
  private readonly description = every(
    () => (this.onAws ? 5000 : 1000),
    () => this.describe(),
    {
      found: false,
      message: "looking for the stream…",
    } as Snapshot["description"],
  );
  private readonly kclEvery = every(1000, () => this.readKcl(), {
    leases: [] as LeaseView[],
    workers: [] as KclWorkerView[],
  });
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
    const [kcl, mappings, , metrics, classmates] = await Promise.all([
      this.kclEvery(),
      this.mappingsEvery(),
      this.logsEvery(),
      this.onAws ? this.metricsEvery() : undefined,
      this.classEvery(),
    ]);
    const shards = this.onAws
      ? (metrics?.shards ?? [])
      : withShardMap(this.rates(stats, description), description, stats !== undefined, kcl.leases);
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
      description: description.found
        ? {
            ...description,
            shards: description.shards.map((range) => ({
              ...range,
              drained:
                range.open || !stats ? undefined : shards.find((view) => view.shardId === range.shardId)?.drained,
            })),
          }
        : description,
      limits: stats?.limits,
      shards,
      recent: this.onAws ? null : [...(stats?.recent[`${region}/${stream}`] ?? [])].reverse(),
      readersIteratorAgeMs: metrics?.readersIteratorAgeMs,
      leases: kcl.leases.map((lease) => ({
        ...lease,
        progress: leaseProgress(lease.checkpoint, lastSequence.get(lease.shard)),
      })),
      kclWorkers: kcl.workers,
      lambda: {
        mappings: mappings.map((m) => withWork(m, stats)),
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

  /**
   * Per-second rates from two readings of the layer's counters, a minute of history per shard.
   * A shard of the map the layer has not counted yet (it counts a shard from its first call:
   * a reshard's child before any record reaches it) is counted at zero, so its chart starts at 0.
   */
  private rates(stats: LayerStats | undefined, description: Snapshot["description"]): ShardView[] {
    if (!stats) return [];
    const { stream, region } = this.options;
    const counted = new Set(
      stats.shards.filter((s) => s.stream === stream && s.region === region).map((s) => s.shardId),
    );
    const zero = { account: "", region, stream, recordsIn: 0, bytesIn: 0, writesThrottled: 0, reads: 0 };
    const uncounted = (description.found ? description.shards : [])
      .filter((range) => !counted.has(range.shardId))
      .map((range) => ({
        ...zero,
        shardId: range.shardId,
        recordsOut: 0,
        bytesOut: 0,
        readsThrottled: 0,
        iteratorsThrottled: 0,
      }));
    stats = { ...stats, shards: [...stats.shards, ...uncounted] };
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
      const { recordsIn, bytesIn, writesThrottled, reads, readsThrottled, recordsOut } = shard;
      views.push({
        shardId: shard.shardId,
        open: true,
        drained: false,
        history: this.history.get(key)!,
        refusedPerSecond: recentRate(this.history.get(key)!, stats.at),
        totals: { recordsIn, bytesIn, writesThrottled, reads, readsThrottled, recordsOut },
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
      const shards = (await listAllShards(this.clients.kinesis, StreamName)).map(shardRange);
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

  private readonly readKcl = () => readKclTables(this.clients.dynamodb, this.options.stream);

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
    for (const event of await this.newLogEvents()) {
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
    if (this.latencies.length > 5000) this.latencies.splice(0, this.latencies.length - 5000);
    return undefined;
  }

  private readMetrics = () => readStreamMetrics(this.clients, this.options.stream);

  private async readClass(): Promise<ClassmateView[]> {
    return readClassmates(this.clients, {
      stream: this.options.stream,
      onAws: this.onAws,
      tables: await tableNames(this.clients.dynamodb),
    });
  }

  /** How long the view has run: for tests and the page's footer. */
  get uptimeMs(): number {
    return Date.now() - this.startedAt;
  }
}
