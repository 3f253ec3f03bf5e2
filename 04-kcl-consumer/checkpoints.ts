// What the KCL's tables say: the leases (one item per shard: its owner and checkpoint), what
// this application has already finished, who leads and what each worker reported.
//
// A checkpoint is the KCL's word that every record of the shard up to that sequence number
// is done. Lesson 04 counts from it, not from a file of its own: another checkout of the
// workshop sharing the emulator, or an emulator restored from its saved state, may have
// moved the checkpoints, and the KCL rightly resumes after them.
import { ConditionalCheckFailedException, DeleteItemCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ResourceNotFoundException, ScanCommand } from "@aws-sdk/client-dynamodb";
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

/**
 * Give back the leader's lock (item "Leader" of <app>-CoordinatorState) if this worker holds it;
 * true when it did.
 * The KCL 3.1.3 MultiLangDaemon exits at once on SIGTERM, without the graceful shutdown that
 * releases it, and a lock nobody renews lasts 2 minutes: until then a worker started again
 * cannot lead, so leases that appear meanwhile (a reshard's children) wait for it.
 */
export async function giveBackLeaderLock(dynamodb: DynamoDBClient, app: string, workerId: string): Promise<boolean> {
  try {
    await dynamodb.send(
      new DeleteItemCommand({
        TableName: `${app}-CoordinatorState`,
        Key: { key: { S: "Leader" } },
        ConditionExpression: "ownerName = :me",
        ExpressionAttributeValues: { ":me": { S: workerId } },
      }),
    );
    return true;
  } catch (error) {
    // Another worker leads, or there is no lock (or no table): nothing of ours to give back.
    if (!(error instanceof ConditionalCheckFailedException) && (error as Error).name !== "ResourceNotFoundException")
      throw error;
    return false;
  }
}

/** Every item of a DynamoDB table; none when the KCL has not made the table yet. */
const scan = (dynamodb: DynamoDBClient, TableName: string) =>
  dynamodb.send(new ScanCommand({ TableName })).then(
    ({ Items = [] }) => Items,
    (error) => (error instanceof ResourceNotFoundException ? [] : Promise.reject(error)),
  );

/** The lease table: one item per shard, with its owner and checkpoint. */
export async function readLeases(dynamodb: DynamoDBClient, app: string): Promise<Lease[]> {
  return (await scan(dynamodb, app)).map((item) => ({
    shard: item.leaseKey?.S ?? "?",
    owner: item.leaseOwner?.S ?? "(none)",
    checkpoint: item.checkpoint?.S ?? "",
    leaseCounter: item.leaseCounter?.N ?? "",
  }));
}

/**
 * The two tables KCL 3.x keeps beside the leases. <app>-CoordinatorState holds the leader's
 * lock (item "Leader") and the client version (item "Migration3.0"); <app>-WorkerMetricStats
 * holds each worker's last report: when, and its CPU use where the KCL can measure it
 * (EC2, ECS, EKS; on a laptop the stats stay empty and leases are balanced by throughput).
 */
export async function readCoordination(dynamodb: DynamoDBClient, app: string) {
  const coordinator = await scan(dynamodb, `${app}-CoordinatorState`);
  const workers = (await scan(dynamodb, `${app}-WorkerMetricStats`)).map((item) => ({
    worker: item.wid?.S ?? "?",
    reported: `${Math.round(Date.now() / 1000 - Number(item.lut?.N ?? 0))} s ago`,
    load:
      Object.entries(item.sts?.M ?? {})
        .map(([metric, values]) => `${metric === "C" ? "CPU" : metric} ${values.L?.at(-1)?.N ?? "?"}%`)
        .join(", ") || "not measured here",
  }));
  return {
    leader: coordinator.find((item) => item.key?.S === "Leader")?.ownerName?.S ?? "(none)",
    clientVersion: coordinator.find((item) => item.key?.S === "Migration3.0")?.cv?.S ?? "(none)",
    workers,
  };
}
