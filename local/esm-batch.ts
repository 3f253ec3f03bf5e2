// One batch of a Kinesis event source mapping, taken through to the end as Lambda does it
// (AWS Lambda Developer Guide, "Using Lambda with Kinesis": error handling, partial batch
// responses, on-failure destinations). Nothing here talks to the network: the poller
// (esm-poller.ts) hands in how to invoke, where failures go, the clock and the checkpoint,
// so the rules can be tested one by one.
//
// - The function throws (or times out): the whole batch is retried, and nothing later in
//   the shard is processed meanwhile. MaximumRetryAttempts (-1: until the records expire)
//   counts the retries; then the batch goes to the on-failure destination and is skipped.
// - BisectBatchOnFunctionError: a failed batch of more than one record is split in two and
//   each half retried in order; a split does not count as a retry.
// - ReportBatchItemFailures: the function returns the sequence number of the first record
//   it could not process; the records before it are done, and the retry starts there.
//   An empty or missing list is success; an empty, null or unknown identifier fails the
//   whole batch.
// - MaximumRecordAgeInSeconds: records older than that are not sent to the function; they
//   go to the on-failure destination (RecordAgeExceeded).

/** A record as the poller read it from the shard. */
export interface StreamRecord {
  sequenceNumber: string;
  partitionKey: string;
  data: Uint8Array;
  /** ApproximateArrivalTimestamp, in ms since the epoch. */
  arrivedAt: number;
}

/** How an invocation went. */
export type Invocation = { ok: true; response: unknown } | { ok: false; functionError: string; response: unknown };

export type FailureCondition = "RetryAttemptsExhausted" | "RecordAgeExceeded";

export interface BatchRules {
  MaximumRetryAttempts: number;
  MaximumRecordAgeInSeconds: number;
  BisectBatchOnFunctionError: boolean;
  FunctionResponseTypes: string[];
}

export interface BatchDeps {
  invoke(records: StreamRecord[]): Promise<Invocation>;
  /** Records given up on: to the on-failure destination, if there is one. */
  giveUp(records: StreamRecord[], condition: FailureCondition, invocations: number, last?: Invocation): Promise<void>;
  /** Everything up to and including this sequence number is done with. */
  checkpoint(sequenceNumber: string): void;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Say what happened, for GetEventSourceMapping's LastProcessingResult and the endpoint's log. */
  result?(text: string): void;
  /** Still wanted? (false once the mapping is disabled or deleted: stop between tries). */
  running?(): boolean;
  /** Count what happened, for the endpoint's stats. */
  count?(what: "invocation" | "retry" | "bisection" | "skipped"): void;
}

/** How long to wait before retry number `retry` (1, 2, …): doubling from 1 s, at most 30 s. */
export const retryDelayMs = (retry: number) => Math.min(30_000, 1000 * 2 ** Math.max(0, retry - 1));

/** Take one batch through to the end: processed, or given up on. */
export async function processBatch(records: StreamRecord[], rules: BatchRules, deps: BatchDeps): Promise<void> {
  // Pieces still to process, in shard order, each with the retries it has had.
  const pieces: { records: StreamRecord[]; retries: number }[] = [{ records, retries: 0 }];
  let invocations = 0;
  while (pieces.length > 0) {
    if (deps.running && !deps.running()) return;
    const piece = pieces[0]!;

    const maxAgeMs = rules.MaximumRecordAgeInSeconds * 1000;
    if (rules.MaximumRecordAgeInSeconds !== -1) {
      const expired = piece.records.filter((r) => deps.now() - r.arrivedAt > maxAgeMs);
      if (expired.length > 0) {
        await deps.giveUp(expired, "RecordAgeExceeded", invocations);
        deps.count?.("skipped");
        deps.checkpoint(expired.at(-1)!.sequenceNumber);
        deps.result?.(`PROBLEM: ${expired.length} record(s) older than MaximumRecordAgeInSeconds skipped`);
        piece.records = piece.records.filter((r) => !expired.includes(r));
        if (piece.records.length === 0) {
          pieces.shift();
          continue;
        }
      }
    }

    const outcome = await deps.invoke(piece.records);
    invocations++;
    deps.count?.("invocation");
    const failedFrom = outcome.ok ? firstReportedFailure(outcome.response, piece.records, rules) : 0;
    if (failedFrom === undefined) {
      deps.checkpoint(piece.records.at(-1)!.sequenceNumber);
      deps.result?.("OK");
      pieces.shift();
      continue;
    }
    deps.result?.(outcome.ok ? "PROBLEM: Function reported batch item failures" : "PROBLEM: Function call failed");
    if (failedFrom > 0) {
      // A partial batch response: the records before the reported one are done.
      deps.checkpoint(piece.records[failedFrom - 1]!.sequenceNumber);
      piece.records = piece.records.slice(failedFrom);
    } else if (!outcome.ok && rules.BisectBatchOnFunctionError && piece.records.length > 1) {
      const half = Math.ceil(piece.records.length / 2);
      pieces.splice(
        0,
        1,
        { records: piece.records.slice(0, half), retries: 0 },
        { records: piece.records.slice(half), retries: 0 },
      );
      deps.count?.("bisection");
      continue;
    }
    piece.retries++;
    if (rules.MaximumRetryAttempts !== -1 && piece.retries > rules.MaximumRetryAttempts) {
      await deps.giveUp(piece.records, "RetryAttemptsExhausted", invocations, outcome);
      deps.count?.("skipped");
      deps.checkpoint(piece.records.at(-1)!.sequenceNumber);
      pieces.shift();
      continue;
    }
    deps.count?.("retry");
    await deps.sleep(retryDelayMs(piece.retries));
  }
}

/**
 * With ReportBatchItemFailures: the index of the first record the function reported, 0 when
 * the whole batch failed, undefined when it succeeded. Without it, any answer is success.
 */
export function firstReportedFailure(
  response: unknown,
  records: StreamRecord[],
  rules: Pick<BatchRules, "FunctionResponseTypes">,
): number | undefined {
  if (!rules.FunctionResponseTypes.includes("ReportBatchItemFailures")) return undefined;
  const failures = (response as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null) return undefined;
  if (!Array.isArray(failures)) return 0;
  if (failures.length === 0) return undefined;
  let first = Number.POSITIVE_INFINITY;
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const at = typeof id === "string" && id !== "" ? records.findIndex((r) => r.sequenceNumber === id) : -1;
    if (at < 0) return 0; // an empty, null or unknown identifier: the whole batch failed
    first = Math.min(first, at);
  }
  return first;
}
