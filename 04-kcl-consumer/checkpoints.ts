// What the lease table says this application has already finished.
//
// A checkpoint is the KCL's word that every record of the shard up to that sequence number
// is done. Lesson 04 counts from it, not from a file of its own: another checkout of the
// workshop sharing the emulator, or an emulator restored from its saved state, may have
// moved the checkpoints, and the KCL rightly resumes after them.
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import { decodeRecord, readShard, type WorkshopRecord } from "../shared/index.js";

/** A lease as lesson 04 prints it: the shard, its owner and its checkpoint. */
export type Lease = {
  shard: string;
  owner: string;
  checkpoint: string;
  leaseCounter: string;
};

/** Checkpoints that name no record: nothing of the shard is finished yet. */
const NOTHING_DONE = new Set(["", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"]);

/** The workshop records at or before each lease's checkpoint (all of a shard whose checkpoint is SHARD_END). */
export async function recordsBeforeCheckpoints(
  kinesis: KinesisClient,
  streamName: string,
  leases: Lease[],
): Promise<WorkshopRecord[]> {
  const done: WorkshopRecord[] = [];
  for (const { shard, checkpoint } of leases) {
    if (NOTHING_DONE.has(checkpoint)) continue;
    const upTo = checkpoint === "SHARD_END" ? undefined : BigInt(checkpoint);
    done.push(...(await readShardUpTo(kinesis, streamName, shard, upTo)));
  }
  return done;
}

/** A shard's workshop records from its start up to sequence number `upTo` (to its end when undefined). */
async function readShardUpTo(
  kinesis: KinesisClient,
  streamName: string,
  shardId: string,
  upTo: bigint | undefined,
): Promise<WorkshopRecord[]> {
  const found: WorkshopRecord[] = [];
  await readShard(kinesis, streamName, shardId, (record) => {
    if (upTo !== undefined && BigInt(record.SequenceNumber!) > upTo) return false; // past the checkpoint
    const decoded = decodeRecord(record.Data);
    if (decoded) found.push(decoded);
    return undefined;
  });
  return found;
}
