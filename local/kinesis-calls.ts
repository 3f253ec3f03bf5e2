// The Kinesis calls the endpoint meters: each is checked against its shard's limits
// (shard-limits.ts), refused the way AWS refuses it when over, and otherwise sent on to
// MiniStack. A record is charged to its shard only once MiniStack has stored it.
//
//   PutRecord, PutRecords  1,000 records/s and 1 MiB/s per shard; PutRecords refuses entries one by one
//   GetShardIterator       5 calls/s per shard; the iterator is remembered with its shard
//   GetRecords             5 calls/s and 2 MiB/s per shard, found through the iterator
//   resharding calls       passed on; the stream's shard map is fetched again after them
import type { IncomingMessage } from "node:http";
import { passableHeaders, readAll } from "./backend.js";
import type { Entry, KinesisCall } from "./parse.js";
import { awsError, type Reply, validationError } from "./replies.js";
import type { ShardMap, StreamInfo } from "./shard-map.js";
import { shardFor, throttledEntry, throttledReply } from "./shard-limits.js";
import type { EndpointStats } from "./stats.js";

/** Calls that change a stream's shards (or remove it): its map is fetched again after them. */
const RESHAPING = new Set([
  "CreateStream",
  "DeleteStream",
  "UpdateShardCount",
  "SplitShard",
  "MergeShards",
  "UpdateStreamMode",
  "UpdateMaxRecordSize",
]);

/** The shard an iterator reads, remembered when MiniStack hands the iterator out. */
interface IteratorPlace {
  shardKey: string;
  shardId: string;
  stream: string;
  account: string;
}
/** MiniStack's iterators live 5 minutes; a reader holds one at a time per shard. This many is plenty. */
const MAX_ITERATORS = 50_000;

/** What the endpoint sends back: its own reply, or MiniStack's to relay as it comes. */
export type Outcome = Reply | IncomingMessage;

/** How the endpoint sends a Kinesis call on: forward(body) → MiniStack's reply (as another operation, if named). */
export type Send = (body: Buffer, operation?: string) => Promise<IncomingMessage>;

/**
 * MiniStack refuses a PutRecords over 5 MB ("Records total payload size exceeds 5 MB limit"),
 * where AWS takes 10 MiB: a larger one is sent on in parts of at most this many bytes.
 */
const MINISTACK_PART_BYTES = 4_500_000;

export class MeteredKinesis {
  private readonly iterators = new Map<string, IteratorPlace>();

  constructor(
    private readonly shardMap: ShardMap,
    private readonly stats: EndpointStats,
  ) {}

  async serve(call: KinesisCall, body: Buffer, send: Send, authorization: string | undefined): Promise<Outcome> {
    // The shard map is kept per caller (access key); meters per account, region, stream and shard.
    const mapKey = `${call.accessKey}/${call.region}/${call.stream}`;
    if (call.operation === "CreateStream") {
      const reply = await this.createStream(call, send);
      this.shardMap.forget(mapKey);
      return reply;
    }
    if (RESHAPING.has(call.operation)) {
      const reply = await send(body);
      this.shardMap.forget(mapKey);
      if (call.operation === "DeleteStream" && reply.statusCode === 200)
        this.stats.forgetStream(`${call.region}/${call.stream}`);
      return reply;
    }
    if (call.operation === "GetRecords") return this.getRecords(call, body, send);
    if (!["PutRecord", "PutRecords", "GetShardIterator"].includes(call.operation)) return send(body);

    const stream = call.stream ? await this.shardMap.get(mapKey, call.stream, authorization) : undefined;
    if (!stream) return send(body); // no such stream: MiniStack says so, and stores nothing
    const streamKey = `${stream.account}/${call.region}/${call.stream}`;
    if (call.operation === "GetShardIterator")
      return this.getShardIterator(call, stream, streamKey, body, send, authorization);
    return this.put(call, stream, streamKey, body, send);
  }

  /**
   * CreateStream as AWS documents it, where MiniStack differs: a name alone makes an
   * on-demand stream (MiniStack would make one provisioned shard), and its Tags are stored
   * (MiniStack drops them; AddTagsToStream keeps them).
   */
  private async createStream(call: KinesisCall, send: Send): Promise<Outcome> {
    const input = { ...call.input };
    if (input.ShardCount === undefined && input.StreamModeDetails === undefined) {
      input.StreamModeDetails = { StreamMode: "ON_DEMAND" };
    }
    const reply = await send(Buffer.from(JSON.stringify(input)));
    const tags = input.Tags as Record<string, string> | undefined;
    if (reply.statusCode !== 200 || !tags || Object.keys(tags).length === 0) return reply;
    const text = await readAll(reply);
    await readAll(await send(Buffer.from(JSON.stringify({ StreamName: call.stream, Tags: tags })), "AddTagsToStream"));
    return { status: 200, headers: passableHeaders(reply.headers), body: text };
  }

  private async getShardIterator(
    call: KinesisCall,
    known: StreamInfo,
    streamKey: string,
    body: Buffer,
    send: Send,
    authorization: string | undefined,
  ): Promise<Outcome> {
    const shardId = String(call.input.ShardId);
    // A shard new to the map (a reshard since it was fetched) is looked up again, at most once a second.
    const stream = known.shardIds.has(shardId)
      ? known
      : ((await this.shardMap.get(
          `${call.accessKey}/${call.region}/${call.stream}`,
          call.stream,
          authorization,
          1000,
        )) ?? known);
    if (!stream.shardIds.has(shardId)) {
      // No meter is ever made for a shard that is not there.
      return awsError(
        400,
        "ResourceNotFoundException",
        `Shard ${shardId} in stream ${stream.name} under account ${stream.account} does not exist`,
      );
    }
    const shardKey = `${streamKey}/${shardId}`;
    if (!this.stats.metersFor(shardKey).admitIterator()) return throttledReply(shardId, stream.name, stream.account);
    const reply = await send(body);
    if (reply.statusCode !== 200) return reply;
    const text = await readAll(reply);
    const { ShardIterator } = JSON.parse(text.toString("utf8")) as { ShardIterator?: string };
    this.remember(ShardIterator, { shardKey, shardId, stream: stream.name, account: stream.account });
    return { status: 200, headers: passableHeaders(reply.headers), body: text };
  }

  private async getRecords(call: KinesisCall, body: Buffer, send: Send): Promise<Outcome> {
    const iterator = String(call.input.ShardIterator);
    const place = this.iterators.get(iterator);
    if (!place) {
      // Every iterator MiniStack hands out passes through here; one the endpoint never saw
      // is too old (from before it started) or made up. AWS answers both with a 400.
      return awsError(
        400,
        "ExpiredIteratorException",
        "Iterator expired or unknown to the local endpoint (it is older than the endpoint): get a new one with GetShardIterator",
      );
    }
    const shard = this.stats.metersFor(place.shardKey);
    if (!shard.admitRead()) return throttledReply(place.shardId, place.stream, place.account);
    const reply = await send(body);
    if (reply.statusCode !== 200) return reply;
    const text = await readAll(reply);
    const output = JSON.parse(text.toString("utf8")) as { Records?: { Data?: string }[]; NextShardIterator?: string };
    const records = output.Records ?? [];
    shard.chargeRead(
      records.length,
      records.reduce((n, r) => n + Buffer.byteLength(r.Data ?? "", "base64"), 0),
    );
    this.remember(output.NextShardIterator, place);
    return { status: 200, headers: passableHeaders(reply.headers), body: text };
  }

  private remember(iterator: string | undefined, place: IteratorPlace): void {
    if (!iterator) return;
    this.iterators.set(iterator, place);
    if (this.iterators.size > MAX_ITERATORS) this.iterators.delete(this.iterators.keys().next().value!); // the oldest
  }

  /**
   * PutRecord and PutRecords. Each record is checked against the stream's record size,
   * then admitted or refused on its own shard. The admitted ones go on to MiniStack;
   * any it does not store are given back to their shard's meters.
   */
  private async put(
    call: KinesisCall,
    stream: StreamInfo,
    streamKey: string,
    body: Buffer,
    send: Send,
  ): Promise<Outcome> {
    const single = call.operation === "PutRecord";
    for (const [i, entry] of call.entries.entries()) {
      if (entry.dataBytes > stream.maxRecordBytes) {
        const field = single ? "data" : `records.${i + 1}.member.data`;
        return validationError(
          field,
          `${entry.dataBytes} bytes`,
          `Member must have length less than or equal to ${stream.maxRecordBytes}`,
        );
      }
    }
    const recordBytes = (e: Entry) => e.dataBytes + Buffer.byteLength(e.PartitionKey, "utf8");
    const meterOf = (e: Entry) => {
      const shard = shardFor(stream.open, e.PartitionKey, e.ExplicitHashKey);
      return shard && { shard, meters: this.stats.metersFor(`${streamKey}/${shard.shardId}`) };
    };
    const placed = call.entries.map(meterOf);
    const admitted = call.entries.map((e, i) => !placed[i] || placed[i].meters.admitWrite(recordBytes(e)));
    const refund = (i: number) => placed[i]?.meters.refundWrite(recordBytes(call.entries[i]!));

    if (single) {
      if (!admitted[0]) return throttledReply(placed[0]!.shard.shardId, stream.name, stream.account);
      const reply = await send(body).catch((error) => {
        refund(0);
        throw error;
      });
      if (reply.statusCode !== 200) {
        refund(0);
        return reply;
      }
      const text = await readAll(reply);
      this.stats.noteStored(streamKey, call.entries, [JSON.parse(text.toString("utf8"))]);
      return { status: 200, headers: passableHeaders(reply.headers), body: text };
    }

    // PutRecords: the reply puts every result back in its request position.
    const accepted = admitted.flatMap((ok, i) => (ok ? [i] : []));
    const results: object[] = call.entries.map((_, i) =>
      admitted[i] ? {} : throttledEntry(placed[i]!.shard.shardId, stream.name, stream.account),
    );
    let failed = call.entries.length - accepted.length;
    let headers: Record<string, string | string[]> = { "content-type": "application/x-amz-json-1.1" };
    const parts = inParts(accepted, (i) => recordBytes(call.entries[i]!), MINISTACK_PART_BYTES);
    for (const part of parts) {
      const onward =
        part.length === call.entries.length
          ? body
          : Buffer.from(
              JSON.stringify({ ...call.input, Records: part.map((i) => (call.input.Records as unknown[])[i]) }),
            );
      const reply = await send(onward).catch((error) => {
        for (const i of part) refund(i);
        if (parts.length === 1) throw error;
        return undefined;
      });
      if (reply?.statusCode !== 200) {
        for (const i of part) refund(i);
        if (parts.length === 1) return reply!;
        // A later part failed after earlier ones were stored: its entries are refused, to be sent again.
        if (reply) await readAll(reply).catch(() => {});
        for (const i of part) results[i] = { ErrorCode: "InternalFailure", ErrorMessage: "Internal service failure." };
        failed += part.length;
        continue;
      }
      const output = JSON.parse((await readAll(reply)).toString("utf8")) as {
        Records?: { ErrorCode?: string; ShardId?: string; SequenceNumber?: string }[];
        FailedRecordCount?: number;
      };
      const stored = output.Records ?? [];
      part.forEach((position, i) => {
        results[position] = stored[i] ?? {};
        if (!stored[i] || stored[i].ErrorCode) refund(position);
      });
      this.stats.noteStored(
        streamKey,
        part.map((i) => call.entries[i]!),
        stored,
      );
      failed += output.FailedRecordCount ?? 0;
      headers = passableHeaders(reply.headers);
    }
    return {
      status: 200,
      headers,
      body: JSON.stringify({ FailedRecordCount: failed, Records: results, EncryptionType: "NONE" }),
    };
  }
}

/** Positions in order, cut into runs whose sizes add up to at most `limit` (a run holds one at least). */
export function inParts(positions: number[], size: (i: number) => number, limit: number): number[][] {
  const parts: number[][] = [];
  let bytes = 0;
  for (const i of positions) {
    if (parts.length === 0 || bytes + size(i) > limit) {
      parts.push([]);
      bytes = 0;
    }
    parts.at(-1)!.push(i);
    bytes += size(i);
  }
  return parts;
}
