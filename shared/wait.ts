// Polling for things the SDK has no waiter for (an event source mapping turning Enabled,
// log lines arriving). Checks at once, then every intervalMs, until done or timeout.
import { setTimeout as sleep } from "node:timers/promises";
import { WorkshopError } from "./errors.js";

/**
 * The settings of the SDK's waiters (waitUntilStreamExists, waitUntilFunctionActiveV2, …):
 * check at once, then every 1 to 5 s (emulators answer at once; AWS takes up to a minute),
 * and give up after `maxWaitTime` seconds.
 */
export const waiterFor = <C>(client: C, maxWaitTime = 120) => ({ client, maxWaitTime, minDelay: 1, maxDelay: 5 });

/** After this long, pollUntil says what it is still waiting for, and again at this interval. */
const REPORT_EVERY_MS = 5000;

export async function pollUntil<T>(
  what: string | (() => string),
  check: () => Promise<T | undefined>,
  { timeoutMs = 60_000, intervalMs = 500 } = {},
): Promise<T> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let nextReport = started + REPORT_EVERY_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= nextReport && process.env.WORKSHOP_QUIET !== "1") {
      process.stderr.write(
        `… still waiting for ${typeof what === "string" ? what : what()} (${Math.round((Date.now() - started) / 1000)} s)\n`,
      );
      nextReport += REPORT_EVERY_MS;
    }
    if (Date.now() >= deadline)
      throw new WorkshopError(
        `gave up after ${Math.round(timeoutMs / 1000)} s waiting for ${typeof what === "string" ? what : what()}`,
      );
    await sleep(intervalMs);
  }
}

/** Call `attempt` again while it throws an error that `retryable` accepts (for example IAM propagation). */
export async function retryWhile<T>(
  retryable: (error: unknown) => boolean,
  attempt: () => Promise<T>,
  { tries = 10, delayMs = 3000, onRetry = (_error: unknown) => {} } = {},
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= tries || !retryable(error)) throw error;
      onRetry(error);
      await sleep(delayMs);
    }
  }
}

/** The median and 95th percentile of some numbers (0 when there are none). */
export function percentiles(values: number[]): { median: number; p95: number } {
  if (values.length === 0) return { median: 0, p95: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p95: at(0.95) };
}
