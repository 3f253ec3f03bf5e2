// The pollers of the local target's Kinesis event source mappings: one loop per mapping
// that finds the stream's shards, and one per shard that reads it about once a second
// through the endpoint itself (so the limits layer counts and throttles these reads as
// one more reader of the shard, as AWS does), batches what it read, and takes each batch
// through esm-batch.ts. A closed shard is read to its end before its children start.
import { setTimeout as sleep } from "node:timers/promises";
import {
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  type KinesisClient,
  type Shard,
} from "@aws-sdk/client-kinesis";
import { GetFunctionConfigurationCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { type FailureCondition, type Invocation, processBatch, type StreamRecord } from "./esm-batch.js";
import { listAllShards } from "../shared/records.js";
import { arnParts, eventFor, invoke, laneOf, onFailureRecord, readPage, takeBatch } from "./esm-lambda.js";
import type { Mapping, MappingStore } from "./esm-store.js";
import { MappingCounters, type MappingStats } from "./stats.js";

/** The clients a mapping's pollers use, for the account and region of its stream. */
export interface PollerClients {
  /** Kinesis through the endpoint (metered). */
  kinesis: KinesisClient;
  /** Lambda, SQS and SNS: MiniStack's. */
  lambda: LambdaClient;
  sqs: SQSClient;
  sns: SNSClient;
}

/** Lambda reads each shard about once a second. */
const POLL_EVERY_MS = 1000;

export class MappingPollers {
  private readonly loops = new Map<string, AbortController>();
  private readonly counters = new Map<string, MappingCounters>();

  /** Each mapping's state and counters. */
  stats(): MappingStats[] {
    return this.store.all().map((m) => {
      const c = this.countersOf(m.UUID);
      return {
        uuid: m.UUID,
        streamArn: m.EventSourceArn,
        functionArn: m.FunctionArn,
        state: m.State,
        lastProcessingResult: m.LastProcessingResult,
        polls: c.polls,
        pollGapMs: c.medianGap(),
        invocations: c.invocations,
        retries: c.retries,
        bisections: c.bisections,
        skipped: c.skipped,
        iteratorAgeMs: c.behind.size ? Math.max(...c.behind.values()) : undefined,
      };
    });
  }

  private countersOf(uuid: string): MappingCounters {
    const known = this.counters.get(uuid);
    if (known) return known;
    const made = new MappingCounters();
    this.counters.set(uuid, made);
    return made;
  }

  constructor(
    private readonly store: MappingStore,
    private readonly clientsFor: (account: string, region: string) => PollerClients,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** Start every enabled mapping (at the endpoint's start: they survive a restart). */
  startAll(): void {
    for (const mapping of this.store.all()) this.changed(mapping.UUID);
  }

  /** A mapping was created, changed or deleted: stop its loop, and start it again if it is enabled. */
  changed(uuid: string): void {
    this.loops.get(uuid)?.abort();
    this.loops.delete(uuid);
    const mapping = this.store.get(uuid);
    if (!mapping) return;
    if (!mapping.Enabled) {
      this.store.put({ ...mapping, State: "Disabled" });
      return;
    }
    const stop = new AbortController();
    this.loops.set(uuid, stop);
    this.runMapping(uuid, stop.signal).catch((error) => {
      if (!stop.signal.aborted) this.log(`mapping ${uuid} stopped: ${(error as Error).message}`);
    });
  }

  close(): void {
    for (const stop of this.loops.values()) stop.abort();
    this.loops.clear();
  }

  private async runMapping(uuid: string, signal: AbortSignal): Promise<void> {
    const first = this.store.get(uuid)!;
    this.store.put({ ...first, State: "Enabled" });
    const stream = arnParts(first.EventSourceArn);
    const clients = this.clientsFor(stream.account, stream.region);
    // The function's role, for the event's invokeIdentityArn (MiniStack may still be starting: ask until it answers).
    let role: string | undefined;
    while (role === undefined && !signal.aborted) {
      role = await clients.lambda
        .send(new GetFunctionConfigurationCommand({ FunctionName: first.FunctionArn }))
        .then((c) => c.Role ?? "")
        .catch(() =>
          sleep(1000, undefined, { signal }).then(
            () => undefined,
            () => undefined,
          ),
        );
    }
    const reading = new Map<string, Promise<void>>();
    while (!signal.aborted) {
      const mapping = this.store.get(uuid);
      if (!mapping) return;
      const shards = await listAllShards(clients.kinesis, stream.name).catch(() => [] as Shard[]);
      const known = new Set(shards.map((s) => s.ShardId));
      for (const shard of shards) {
        const id = shard.ShardId!;
        if (reading.has(id) || mapping.finishedShards.includes(id)) continue;
        // Parents first: a child starts once each parent it has (still listed) is read to its end.
        const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter((p): p is string => Boolean(p));
        if (parents.some((p) => known.has(p) && !this.store.get(uuid)?.finishedShards.includes(p))) continue;
        const fromStart = parents.length > 0;
        reading.set(
          id,
          this.readShard(uuid, id, fromStart, role ?? "", clients, signal)
            .catch(
              (error) => void (signal.aborted || this.log(`mapping ${uuid} shard ${id}: ${(error as Error).message}`)),
            )
            .finally(() => reading.delete(id)),
        );
      }
      await sleep(5000, undefined, { signal }).catch(() => {});
    }
  }

  /** Read one shard, about once a second, and take each batch through to the end. */
  private async readShard(
    uuid: string,
    shardId: string,
    childOfReshard: boolean,
    role: string,
    clients: PollerClients,
    signal: AbortSignal,
  ): Promise<void> {
    const mapping = () => this.store.get(uuid);
    const update = (change: Partial<Mapping>) => {
      const now = mapping();
      if (now) this.store.put({ ...now, ...change });
    };
    const streamName = arnParts(mapping()!.EventSourceArn).name;
    const position = (): GetShardIteratorCommandInput => {
      const m = mapping()!;
      const done = m.checkpoints[shardId];
      if (done)
        return {
          StreamName: streamName,
          ShardId: shardId,
          ShardIteratorType: "AFTER_SEQUENCE_NUMBER",
          StartingSequenceNumber: done,
        };
      if (childOfReshard) return { StreamName: streamName, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" };
      return m.StartingPosition === "AT_TIMESTAMP"
        ? {
            StreamName: streamName,
            ShardId: shardId,
            ShardIteratorType: "AT_TIMESTAMP",
            Timestamp: new Date((m.StartingPositionTimestamp ?? 0) * 1000),
          }
        : { StreamName: streamName, ShardId: shardId, ShardIteratorType: m.StartingPosition };
    };
    let iterator = (await clients.kinesis.send(new GetShardIteratorCommand(position()))).ShardIterator;
    let pending: StreamRecord[] = [];
    let waitingSince = 0;
    let backoff = 0;
    while (!signal.aborted && mapping()) {
      const m = mapping()!;
      let page: Awaited<ReturnType<typeof readPage>>;
      try {
        page = await readPage(clients.kinesis, iterator!);
        this.countersOf(uuid).polled(shardId, page.behindMs);
        backoff = 0;
      } catch (error) {
        const name = (error as Error).name;
        if (name === "ExpiredIteratorException") {
          iterator = (await clients.kinesis.send(new GetShardIteratorCommand(position()))).ShardIterator;
          continue;
        }
        // Throttled (the shard's 5 reads a second were spent) or the emulator is busy: back off, as AWS does.
        backoff = Math.min(10_000, Math.max(POLL_EVERY_MS, backoff * 2));
        await sleep(backoff, undefined, { signal }).catch(() => {});
        continue;
      }
      if (pending.length === 0) waitingSince = Date.now();
      pending.push(...page.records);
      iterator = page.next;
      const windowOver = Date.now() - waitingSince >= m.MaximumBatchingWindowInSeconds * 1000;
      while (pending.length > 0 && (windowOver || pending.length >= m.BatchSize || !iterator)) {
        const batch = takeBatch(pending, m.BatchSize);
        pending = pending.slice(batch.length);
        await this.handleBatch(uuid, shardId, batch, role, clients, signal);
        if (signal.aborted) return;
      }
      if (!iterator) {
        // The shard is closed and read to its end: its children may start.
        const now = mapping();
        if (now) update({ finishedShards: [...now.finishedShards, shardId] });
        return;
      }
      await sleep(POLL_EVERY_MS, undefined, { signal }).catch(() => {});
    }
  }

  /** One batch: split into ParallelizationFactor lanes by partition key (order kept per key), each taken to the end. */
  private async handleBatch(
    uuid: string,
    shardId: string,
    batch: StreamRecord[],
    role: string,
    clients: PollerClients,
    signal: AbortSignal,
  ): Promise<void> {
    const m = this.store.get(uuid)!;
    const lanes = new Map<number, StreamRecord[]>();
    for (const record of batch) {
      const lane = m.ParallelizationFactor === 1 ? 0 : laneOf(record.partitionKey, m.ParallelizationFactor);
      lanes.set(lane, [...(lanes.get(lane) ?? []), record]);
    }
    const setResult = (text: string) => {
      const now = this.store.get(uuid);
      if (now && now.LastProcessingResult !== text) this.store.put({ ...now, LastProcessingResult: text });
    };
    await Promise.all(
      [...lanes.values()].map((records) =>
        processBatch(records, m, {
          invoke: (part) => invoke(clients.lambda, m, eventFor(part, shardId, m, role)),
          giveUp: (part, condition, count, last) => this.giveUp(m, shardId, part, condition, count, last, clients),
          // With one lane the checkpoint moves record by record; with several, once all lanes are done.
          checkpoint: (sequence) => {
            if (lanes.size === 1) this.checkpoint(uuid, shardId, sequence);
          },
          now: Date.now,
          sleep: (ms) => sleep(ms, undefined, { signal }).catch(() => {}),
          result: setResult,
          running: () => !signal.aborted && this.store.get(uuid) !== undefined,
          count: (what) => {
            const c = this.countersOf(uuid);
            if (what === "invocation") c.invocations++;
            else if (what === "retry") c.retries++;
            else if (what === "bisection") c.bisections++;
            else c.skipped++;
          },
        }),
      ),
    );
    if (!signal.aborted) this.checkpoint(uuid, shardId, batch.at(-1)!.sequenceNumber);
  }

  private checkpoint(uuid: string, shardId: string, sequenceNumber: string): void {
    const m = this.store.get(uuid);
    if (m) this.store.put({ ...m, checkpoints: { ...m.checkpoints, [shardId]: sequenceNumber } });
  }

  /** Records given up on: AWS's invocation record to the on-failure destination, if the mapping has one. */
  private async giveUp(
    m: Mapping,
    shardId: string,
    records: StreamRecord[],
    condition: FailureCondition,
    invocations: number,
    last: Invocation | undefined,
    clients: PollerClients,
  ): Promise<void> {
    this.log(`mapping ${m.UUID}: ${records.length} record(s) of ${shardId} skipped (${condition})`);
    const destination = m.DestinationConfig.OnFailure.Destination;
    if (!destination) return;
    const message = JSON.stringify(onFailureRecord(m, shardId, records, condition, invocations, last));
    const target = arnParts(destination);
    if (destination.includes(":sqs:")) {
      const { QueueUrl } = await clients.sqs.send(
        new GetQueueUrlCommand({ QueueName: target.name, QueueOwnerAWSAccountId: target.account }),
      );
      await clients.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: message }));
    } else {
      await clients.sns.send(new PublishCommand({ TopicArn: destination, Message: message }));
    }
  }
}
