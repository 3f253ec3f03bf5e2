// Lesson 04's DynamoDB tables, read for the page: the KCL's lease table (one item per shard)
// and the two KCL 3.x keeps beside it: <app>-CoordinatorState (the leader's lock, the client
// version) and <app>-WorkerMetricStats (each worker's last report and, where the KCL can
// measure it, its CPU use). Scans only: the page never writes.
import { type AttributeValue, type DynamoDBClient, paginateListTables, ScanCommand } from "@aws-sdk/client-dynamodb";
import type { KclWorkerView, LeaseView } from "./snapshot.js";

/** A lease table of lesson 04 for `stream`: the KCL names it after the application, workshop-kcl-TARGET-STREAM. */
export const leaseTableOf = (table: string, stream: string) =>
  table.startsWith("workshop-kcl-") && table.endsWith(`-${stream}`);

type Item = Record<string, AttributeValue>;
const scan = async (dynamodb: DynamoDBClient, TableName: string): Promise<Item[]> =>
  (await dynamodb.send(new ScanCommand({ TableName }))).Items ?? [];

export async function tableNames(dynamodb: DynamoDBClient): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListTables({ client: dynamodb }, {})) names.push(...(page.TableNames ?? []));
  return names;
}

/** Every lesson-04 application of this stream: its leases, and its workers as KCL 3.x reports them. */
export async function readKclTables(
  dynamodb: DynamoDBClient,
  stream: string,
): Promise<{ leases: LeaseView[]; workers: KclWorkerView[] }> {
  const names = await tableNames(dynamodb);
  const leases: LeaseView[] = [];
  const workers: KclWorkerView[] = [];
  for (const application of names.filter((t) => leaseTableOf(t, stream))) {
    for (const item of await scan(dynamodb, application)) {
      leases.push({
        application,
        shard: item.leaseKey?.S ?? "?",
        owner: item.leaseOwner?.S ?? "(none)",
        checkpoint: item.checkpoint?.S ?? "",
        leaseCounter: item.leaseCounter?.N ?? "",
        progress: "",
      });
    }
    // KCL 2.x made neither of these tables: then there is no worker row.
    const coordinator = names.includes(`${application}-CoordinatorState`)
      ? await scan(dynamodb, `${application}-CoordinatorState`)
      : [];
    const leader = coordinator.find((item) => item.key?.S === "Leader")?.ownerName?.S;
    const clientVersion = coordinator.find((item) => item.key?.S === "Migration3.0")?.cv?.S ?? "";
    if (!names.includes(`${application}-WorkerMetricStats`)) continue;
    for (const item of await scan(dynamodb, `${application}-WorkerMetricStats`)) {
      const worker = item.wid?.S ?? "?";
      workers.push({
        application,
        worker,
        leader: worker === leader,
        clientVersion,
        reportedAt: Number(item.lut?.N ?? 0) * 1000,
        load: workerLoad(item),
      });
    }
  }
  const byName = (a: { application: string }, b: { application: string }) => a.application.localeCompare(b.application);
  return {
    leases: leases.sort((a, b) => byName(a, b) || a.shard.localeCompare(b.shard)),
    workers: workers.sort((a, b) => byName(a, b) || a.worker.localeCompare(b.worker)),
  };
}

/** The KCL's short names for its worker metrics (WorkerMetricType). */
const METRIC_NAMES: Record<string, string> = {
  C: "CPU",
  M: "memory",
  NI: "network in",
  NO: "network out",
  T: "throughput",
};

/**
 * A worker's last reported load, for example "CPU 37%". The KCL measures CPU only on EC2,
 * ECS and EKS; elsewhere (a laptop) the stats stay empty and leases are balanced by throughput.
 */
export function workerLoad(item: Item): string {
  const stats = Object.entries(item.sts?.M ?? {}).map(([short, values]) => {
    const metric = METRIC_NAMES[short] ?? short;
    const last = values.L?.at(-1)?.N;
    return last === undefined ? metric : `${metric} ${Math.round(Number(last))}%`;
  });
  return stats.join(", ") || "not measured (only on EC2, ECS, EKS)";
}
