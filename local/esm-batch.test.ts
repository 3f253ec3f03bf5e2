// The event source mapping's rules for one batch, with a fake function, clock and destination.
import { describe, expect, it } from "vitest";
import { type BatchRules, type Invocation, processBatch, type StreamRecord } from "./esm-batch.js";

const records = (n: number, arrivedAt = 0): StreamRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    sequenceNumber: String(1000 + i),
    partitionKey: `k${i}`,
    data: Buffer.from(i === 0 ? "poison" : `r${i}`),
    arrivedAt,
  }));
const rules = (over: Partial<BatchRules> = {}): BatchRules => ({
  MaximumRetryAttempts: -1,
  MaximumRecordAgeInSeconds: -1,
  BisectBatchOnFunctionError: false,
  FunctionResponseTypes: [],
  ...over,
});

/** Run a batch against `handler`; record every delivery, checkpoint, give-up and wait. */
async function run(batch: StreamRecord[], settings: BatchRules, handler: (batch: StreamRecord[]) => Invocation) {
  const seen = {
    deliveries: [] as string[][],
    checkpoints: [] as string[],
    gaveUp: [] as string[],
    waits: [] as number[],
  };
  let clock = 10_000;
  await processBatch(batch, settings, {
    invoke: async (b) => {
      seen.deliveries.push(b.map((r) => r.sequenceNumber));
      return handler(b);
    },
    giveUp: async (b, condition, count) => void seen.gaveUp.push(`${condition} ${b.length} after ${count}`),
    checkpoint: (sequence) => void seen.checkpoints.push(sequence),
    now: () => clock,
    sleep: async (ms) => {
      seen.waits.push(ms);
      clock += ms;
    },
  });
  return seen;
}

const poisonIn = (b: StreamRecord[]) => b.some((r) => Buffer.from(r.data).toString() === "poison");
const throwsOnPoison = (b: StreamRecord[]): Invocation =>
  poisonIn(b)
    ? { ok: false, functionError: "Unhandled", response: { errorMessage: "poison" } }
    : { ok: true, response: null };

describe("a batch whose function throws on one record", () => {
  it("is retried whole MaximumRetryAttempts times, then given up and skipped", async () => {
    const seen = await run(records(10), rules({ MaximumRetryAttempts: 2 }), throwsOnPoison);
    expect(seen.deliveries).toHaveLength(3); // the first try and two retries
    expect(seen.deliveries.every((d) => d.length === 10)).toBe(true);
    expect(seen.gaveUp).toEqual(["RetryAttemptsExhausted 10 after 3"]);
    expect(seen.checkpoints).toEqual(["1009"]); // skipped past: the shard moves on
    expect(seen.waits).toEqual([1000, 2000]); // backing off between retries
  });

  it("with bisection, is split down to the poison record, and every other record is processed", async () => {
    const seen = await run(
      records(8),
      rules({ MaximumRetryAttempts: 2, BisectBatchOnFunctionError: true }),
      throwsOnPoison,
    );
    expect(seen.deliveries.map((d) => d.length)).toEqual([8, 4, 2, 1, 1, 1, 1, 2, 4]);
    const poisonDeliveries = seen.deliveries.filter((d) => d.includes("1000")).length;
    expect(poisonDeliveries).toBeGreaterThanOrEqual(3); // "at least three times"
    expect(seen.gaveUp).toEqual(["RetryAttemptsExhausted 1 after 6"]);
    const processed = new Set(seen.deliveries.filter((d) => !d.includes("1000")).flat());
    expect(processed.size).toBe(7);
    expect(seen.checkpoints.at(-1)).toBe("1007");
  });
});

describe("a partial batch response (ReportBatchItemFailures)", () => {
  const partial = rules({ MaximumRetryAttempts: 1, FunctionResponseTypes: ["ReportBatchItemFailures"] });

  it("retries from the reported record: the records before it are not delivered again", async () => {
    const batch = records(6);
    batch[0]!.data = Buffer.from("fine");
    batch[3]!.data = Buffer.from("poison");
    const seen = await run(batch, partial, (b) => ({
      ok: true,
      response: { batchItemFailures: poisonIn(b) ? [{ itemIdentifier: "1003" }] : [] },
    }));
    expect(seen.deliveries).toEqual([
      ["1000", "1001", "1002", "1003", "1004", "1005"],
      ["1003", "1004", "1005"],
    ]);
    expect(seen.checkpoints).toEqual(["1002", "1005"]);
    expect(seen.gaveUp).toEqual(["RetryAttemptsExhausted 3 after 2"]);
  });

  it("counts an empty or missing list as success, and an empty, null or unknown identifier as a whole failure", async () => {
    for (const response of [{ batchItemFailures: [] }, {}, null, { batchItemFailures: null }]) {
      const seen = await run(records(3), partial, () => ({ ok: true, response }));
      expect(seen.deliveries, JSON.stringify(response)).toHaveLength(1);
    }
    for (const itemIdentifier of ["", null, "999"]) {
      const seen = await run(records(3), partial, () => ({
        ok: true,
        response: { batchItemFailures: [{ itemIdentifier }] },
      }));
      expect(seen.deliveries, String(itemIdentifier)).toEqual([
        ["1000", "1001", "1002"],
        ["1000", "1001", "1002"],
      ]);
    }
  });

  it("is only read when the mapping asks for it: otherwise any answer is success", async () => {
    const seen = await run(records(3), rules(), () => ({
      ok: true,
      response: { batchItemFailures: [{ itemIdentifier: "1001" }] },
    }));
    expect(seen.deliveries).toHaveLength(1);
  });
});

describe("MaximumRecordAgeInSeconds", () => {
  it("sends records older than the limit to the destination instead of the function", async () => {
    const seen = await run(
      records(4, 0),
      rules({ MaximumRecordAgeInSeconds: 60, MaximumRetryAttempts: -1 }),
      throwsOnPoison,
    );
    // The clock starts 10 s after the records arrived: they are sent, fail, and are retried
    // (forever, by MaximumRetryAttempts) until they are older than 60 s, then skipped.
    expect(seen.gaveUp).toEqual([`RecordAgeExceeded 4 after ${seen.deliveries.length}`]);
    expect(seen.deliveries.length).toBeGreaterThan(1);
    expect(seen.checkpoints).toEqual(["1003"]);
  });
});
