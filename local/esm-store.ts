// The local target's event source mappings for Kinesis streams, kept in one JSON file
// beside MiniStack's state, so that a mapping, and where it has got to in each shard,
// survive a restart of the emulator (as they survive anything on AWS).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** A mapping as the Lambda API shows it (GetEventSourceMapping), for a Kinesis source. */
export interface MappingConfig {
  UUID: string;
  EventSourceArn: string;
  FunctionArn: string;
  StartingPosition: "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP";
  StartingPositionTimestamp?: number;
  BatchSize: number;
  MaximumBatchingWindowInSeconds: number;
  ParallelizationFactor: number;
  MaximumRetryAttempts: number;
  MaximumRecordAgeInSeconds: number;
  BisectBatchOnFunctionError: boolean;
  FunctionResponseTypes: string[];
  DestinationConfig: { OnSuccess: Record<string, never>; OnFailure: { Destination?: string } };
  TumblingWindowInSeconds: number;
  Enabled: boolean;
}

/** What the poller keeps of a mapping besides its configuration. */
export interface MappingState {
  State: "Creating" | "Enabled" | "Disabled" | "Enabling" | "Disabling" | "Updating" | "Deleting";
  StateTransitionReason: string;
  LastModified: number;
  LastProcessingResult: string;
  /** Per shard: the sequence number of the last record done with (processed, or skipped to the destination). */
  checkpoints: Record<string, string>;
  /** Shards read to their end (closed and done): their children may start. */
  finishedShards: string[];
}

export type Mapping = MappingConfig & MappingState;

/** The mappings, read once from `file` and written back after each change. */
export class MappingStore {
  private readonly mappings = new Map<string, Mapping>();

  constructor(private readonly file: string | undefined) {
    if (file && existsSync(file)) {
      for (const mapping of JSON.parse(readFileSync(file, "utf8")) as Mapping[])
        this.mappings.set(mapping.UUID, mapping);
    }
  }

  all(): Mapping[] {
    return [...this.mappings.values()];
  }

  get(uuid: string): Mapping | undefined {
    return this.mappings.get(uuid);
  }

  put(mapping: Mapping): void {
    this.mappings.set(mapping.UUID, mapping);
    this.save();
  }

  delete(uuid: string): void {
    this.mappings.delete(uuid);
    this.save();
  }

  /** Write the file whole, then move it into place: a crash mid-write leaves the old one. */
  save(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.all(), null, 1));
    renameSync(`${this.file}.tmp`, this.file);
  }
}
