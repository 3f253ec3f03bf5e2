// Every Kinesis call to the local target, answered by the workshop's own Kinesis
// (kinesis-engine.ts) behind each shard's meters (shard-limits.ts): a call over a shard's
// limit is refused the way AWS refuses it, and never reaches the records.
//
//   PutRecord, PutRecords  1,000 records/s and 1 MiB/s per shard; PutRecords refuses entries one by one
//   GetShardIterator       5 calls/s per shard
//   GetRecords             5 calls/s and 2 MiB/s per shard, found through the iterator
//   anything else          answered as it is (resharding: the meters follow the new shards at once)
import { accountOf, KinesisError, replyOf, StreamOperations } from "./kinesis-engine.js";
import { checkInput } from "./kinesis-input.js";
import { RecordOperations } from "./kinesis-records.js";
import { Resharding } from "./kinesis-reshard.js";
import { settingsOperations } from "./kinesis-settings.js";
import type { KinesisStore, Shard, Stream } from "./kinesis-store.js";
import type { KinesisCall } from "./parse.js";
import { type Reply, validationMessage } from "./replies.js";
import { rateExceededMessage, throttledEntry } from "./shard-limits.js";
import type { EndpointStats } from "./stats.js";

const PUT_RECORDS_MAX_BYTES = 10 * 1024 * 1024;

/** Calls about enhanced fan-out, encryption and metrics: AWS has them, the local target does not. */
const NOT_HERE =
  /^(RegisterStreamConsumer|DeregisterStreamConsumer|DescribeStreamConsumer|ListStreamConsumers|SubscribeToShard|StartStreamEncryption|StopStreamEncryption|EnableEnhancedMonitoring|DisableEnhancedMonitoring|PutResourcePolicy|GetResourcePolicy|DeleteResourcePolicy)$/;

export class MeteredKinesis {
  readonly streams: StreamOperations;
  private readonly records: RecordOperations;
  private readonly resharding: Resharding;
  private readonly settings: ReturnType<typeof settingsOperations>;

  constructor(
    store: KinesisStore,
    private readonly stats: EndpointStats,
    now: () => number = Date.now,
  ) {
    this.streams = new StreamOperations(store, now);
    this.records = new RecordOperations(this.streams);
    this.resharding = new Resharding(this.streams);
    this.settings = settingsOperations(this.streams);
  }

  serve(call: KinesisCall): Reply {
    const account = accountOf(call.accessKey);
    return replyOf(() => {
      checkInput(call.operation, call.input);
      switch (call.operation) {
        case "PutRecord":
        case "PutRecords":
          return this.put(call, account);
        case "GetShardIterator":
          return this.getShardIterator(call, account);
        case "GetRecords":
          return this.getRecords(call, account);
        case "ListShards":
          return this.resharding.listShards(call, account);
        case "SplitShard":
          return this.resharding.splitShard(call, account);
        case "MergeShards":
          return this.resharding.mergeShards(call, account);
        case "UpdateShardCount":
          return this.resharding.updateShardCount(call, account);
        case "DeleteStream": {
          const result = this.streams.operations.DeleteStream!(call, account);
          this.stats.forgetStream(`${call.region}/${call.stream}`);
          return result;
        }
      }
      const operation = this.streams.operations[call.operation] ?? this.settings[call.operation];
      if (operation) return operation(call, account);
      if (NOT_HERE.test(call.operation))
        throw new KinesisError(
          "UnknownOperationException",
          `${call.operation} is not on the workshop's local target (enhanced fan-out, encryption and metrics are AWS only): see the README's differences`,
        );
      throw new KinesisError("UnknownOperationException", `Unknown operation ${call.operation || "(none)"}`);
    });
  }

  private getShardIterator(call: KinesisCall, account: string): object {
    const stream = this.streams.find(call, account);
    const shard = this.records.shard(stream, String(call.input.ShardId));
    if (!this.meters(stream, shard).admitIterator()) throw throttled(shard, stream);
    return this.records.getShardIterator(call, stream);
  }

  private getRecords(call: KinesisCall, account: string): object {
    const found = this.records.place(String(call.input.ShardIterator), account);
    const meters = this.meters(found.stream, found.shard);
    if (!meters.admitRead()) throw throttled(found.shard, found.stream);
    const { bytes, ...reply } = this.records.getRecords(call, found);
    meters.chargeRead(reply.Records.length, bytes);
    return reply;
  }

  /**
   * PutRecord and PutRecords. Each record is checked against the stream's record size, then
   * admitted or refused on its own shard; the admitted ones are stored. A refused PutRecord
   * is a 400; a PutRecords answers 200 with each refused entry marked in its request position.
   */
  private put(call: KinesisCall, account: string): object {
    const stream = this.streams.find(call, account);
    const single = call.operation === "PutRecord";
    const maxBytes = stream.maxRecordKiB * 1024;
    for (const [i, entry] of call.entries.entries()) {
      if (entry.dataBytes > maxBytes)
        throw validation(
          single ? "data" : `records.${i + 1}.member.data`,
          `${entry.dataBytes} bytes`,
          `Member must have length less than or equal to ${maxBytes}`,
        );
    }
    // A PutRecords carries at most 10 MiB, partition keys included (AWS's figure for the whole request).
    const total = call.entries.reduce((n, e) => n + e.dataBytes + Buffer.byteLength(e.PartitionKey, "utf8"), 0);
    if (!single && total > PUT_RECORDS_MAX_BYTES)
      throw validation(
        "records",
        `${total} bytes`,
        `Member must have a total size less than or equal to ${PUT_RECORDS_MAX_BYTES}`,
      );
    const placed = call.entries.map((entry) => ({ entry, shard: this.records.route(stream, entry) }));
    const admitted = placed.filter(({ entry, shard }) =>
      this.meters(stream, shard).admitWrite(entry.dataBytes + Buffer.byteLength(entry.PartitionKey, "utf8")),
    );
    if (single && admitted.length === 0) throw throttled(placed[0]!.shard, stream);
    const stored = this.records.store(stream, admitted);
    this.stats.noteStored(
      `${stream.account}/${stream.region}/${stream.name}`,
      admitted.map(({ entry }) => entry),
      stored,
    );
    if (single) return { ...stored[0], EncryptionType: "NONE" };
    let next = 0;
    const results = placed.map((p) =>
      admitted[next] === p ? stored[next++]! : throttledEntry(p.shard.id, stream.name, stream.account),
    );
    return { FailedRecordCount: placed.length - admitted.length, Records: results, EncryptionType: "NONE" };
  }

  private meters(stream: Stream, shard: Shard) {
    return this.stats.metersFor(`${stream.account}/${stream.region}/${stream.name}/${shard.id}`);
  }
}

/** AWS's refusal for a shard over its limit, as a KinesisError. */
const throttled = (shard: Shard, stream: Stream) =>
  new KinesisError(
    "ProvisionedThroughputExceededException",
    rateExceededMessage(shard.id, stream.name, stream.account),
  );

const validation = (field: string, value: unknown, constraint: string) =>
  new KinesisError("ValidationException", validationMessage(field, value, constraint));
