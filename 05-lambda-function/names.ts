// The facts about lesson 05 that others read too (the live view, cleanup, the bench, npm start):
// the names of what it creates, the log line its function writes per record, and what a run returns.
//
// Everything lesson 05 creates is named after the stream, so a second student with
// --stream NAME gets resources of their own, and cleanup can find them.
import type { WorkshopRecord } from "../shared/records.js";

/** The function, its role, the role's policy, its log group, and the queue its mapping sends failures to. */
export function resourceNames(stream: string) {
  const functionName = `${stream}-handler`;
  return {
    functionName,
    roleName: `${functionName}-role`,
    policyName: "read-stream-write-logs",
    logGroupName: `/aws/lambda/${functionName}`,
    failureQueueName: `${functionName}-failures`,
  };
}

/** The tag on the function that names its copies stream (--copy-to), for --delete. */
export const COPY_TO_TAG = "workshop-copy-to";

/** The log line for a processed record; lesson 05 finds these in CloudWatch Logs. */
export const seenLine = (record: WorkshopRecord, now: number) =>
  `seen ${record.runId} #${record.index} after ${now - record.sentAt} ms`;

/** Finds seenLine()'s lines in a log message: run id, index, milliseconds. */
export const SEEN_LINES = /seen (\S+) #(\d+) after (-?\d+) ms/g;

/** What a run did: a deploy fills most fields; --logs and --delete fill their own. */
export interface Summary {
  produced?: number;
  records?: number;
  unique?: number;
  duplicates?: number;
  latencyMs?: number;
  latencyP95Ms?: number;
  functionArn?: string;
  deployed?: "created" | "updated" | "unchanged";
  mappingId?: string;
  copyTo?: string;
  copies?: number;
  poisonDeliveries?: number;
  /** Notes of skipped batches that reached the on-failure queue (--poison). */
  onFailure?: number;
  /** --logs */
  logGroup?: string;
  events?: number;
  /** --delete */
  deleted?: string[];
}
