// What the live view shows, as one JSON snapshot the page receives every second.
// view/local.ts fills it on the emulator targets (from the limits layer's counters and
// Describe/List/Scan/Filter calls), view/aws.ts on AWS (from CloudWatch metrics).

/** The per-shard limits the charts are drawn against. */
export const SHARD_LIMITS_SHOWN = { recordsPerSecond: 1000, bytesPerSecond: 1024 * 1024, readsPerSecond: 5 } as const;

export interface ShardRange {
  shardId: string;
  /** Decimal strings: 128-bit numbers do not fit a JSON number. */
  startingHashKey: string;
  endingHashKey: string;
  open: boolean;
  /** ParentShardId and AdjacentParentShardId, where ListShards names them: the shards this one came from. */
  parents: string[];
  /**
   * A closed shard's: true once no reader still needs it (see drained() in collect.ts), false
   * while one may, undefined where the view cannot tell (no limits layer: AWS, LocalStack).
   * Always undefined for an open shard.
   */
  drained?: boolean;
}

/** One point of a shard's chart: per second. */
export interface RatePoint {
  at: number;
  records: number;
  bytes: number;
  writesThrottled: number;
  reads: number;
  readsThrottled: number;
}

export interface ShardView {
  shardId: string;
  /** false once a reshard has closed it (no new records go to it). */
  open: boolean;
  /** A closed shard no reader still needs (drained() in collect.ts): the page stops showing it. */
  drained: boolean;
  /** The last minute, oldest first. */
  history: RatePoint[];
  /** Writes refused per second over the last few seconds (RECENT_SECONDS), not since the start. */
  refusedPerSecond: number;
  totals: {
    recordsIn: number;
    bytesIn: number;
    writesThrottled: number;
    reads: number;
    readsThrottled: number;
    /** Records handed to readers (GetRecords, every reader together): the limits layer only. */
    recordsOut?: number;
  };
}

export interface LeaseView {
  application: string;
  shard: string;
  owner: string;
  checkpoint: string;
  leaseCounter: string;
  /** "caught up", "behind", or "" when it cannot be told. */
  progress: string;
}

/** A KCL 3.x worker, from the application's WorkerMetricStats and CoordinatorState tables. */
export interface KclWorkerView {
  application: string;
  worker: string;
  /** Holds the leader's lock: it hands out the leases. */
  leader: boolean;
  /** The application's client version, for example CLIENT_VERSION_3X. */
  clientVersion: string;
  /** When the worker last reported its metrics (ms since the epoch). */
  reportedAt: number;
  /** For example "CPU 37%", or why there is no figure. */
  load: string;
}

export interface MappingView {
  uuid: string;
  functionName: string;
  state: string;
  batchSize: number | undefined;
  lastProcessingResult: string;
  /** The local target's own mapping only (from the endpoint): what it has done since it started. */
  work?: {
    pollGapMs: number | undefined;
    iteratorAgeMs: number | undefined;
    invocations: number;
    retries: number;
    bisections: number;
    skipped: number;
  };
}

export interface LambdaView {
  mappings: MappingView[];
  /** Invocations and errors: counted from the function's log lines (emulators) or CloudWatch (AWS). */
  invocations: number | undefined;
  errors: number | undefined;
  recordsHandled: number | undefined;
  latencyMedianMs: number | undefined;
  latencyP95Ms: number | undefined;
  /** AWS only (CloudWatch IteratorAge): how far behind the newest record the mapping reads, at most, last minute. */
  iteratorAgeMs?: number;
}

export interface ClassmateView {
  stream: string;
  records: number | undefined;
  leases: number;
  hasFunction: boolean;
  hasMapping: boolean;
}

export interface RecordView {
  at: number;
  shardId: string;
  partitionKey: string;
  sequenceNumber: string;
  dataStart: string;
}

export interface Snapshot {
  at: number;
  target: string;
  region: string;
  stream: string;
  /** "1 s" on the emulators; "1 min" on AWS, where CloudWatch metrics are per minute. */
  granularity: string;
  /** Shown under the title: what this target can and cannot show. */
  notes: string[];
  description:
    | { found: true; status: string; mode: string; retentionHours: number | undefined; shards: ShardRange[] }
    | { found: false; message: string };
  /** true/false: the limits layer's setting; undefined: no limits layer (localstack, aws). */
  limits: boolean | undefined;
  shards: ShardView[];
  /** The last records put (emulators, from the limits layer); null on AWS, where nothing is sampled. */
  recent: RecordView[] | null;
  leases: LeaseView[];
  kclWorkers: KclWorkerView[];
  /** AWS only (GetRecords.IteratorAgeMilliseconds): how far behind the stream's slowest reader is, last minute. */
  readersIteratorAgeMs?: number;
  lambda: LambdaView;
  classmates: ClassmateView[];
}

/** The commands a view may send: reads only, and never a read of the stream's records. */
export const READ_ONLY_COMMAND = /^(Describe|List|Get|Scan|Filter)\w*Command$/;
export const FORBIDDEN_READS = new Set(["GetRecordsCommand", "GetShardIteratorCommand", "SubscribeToShardCommand"]);

/** Throws unless a command is one the view may send: the guard every view client goes through. */
export function assertReadOnly(commandName: string): void {
  if (!READ_ONLY_COMMAND.test(commandName) || FORBIDDEN_READS.has(commandName)) {
    throw new Error(`the live view sends reads only, never ${commandName}`);
  }
}
