// Waiting: the SDK's waiters' settings, polling for what has no waiter, retrying while IAM catches up.
import { setTimeout as sleep } from "node:timers/promises";
import { WorkshopError } from "./errors.js";
import { Progress } from "./output.js";

/**
 * Settings for the SDK's waiters (waitUntilStreamExists, …): check at once, again after 0.25 s (emulators are
 * ready in a second), then less and less often, up to every 5 s (AWS can take a minute), for maxWaitTime seconds.
 */
export const waiterFor = <C>(client: C, maxWaitTime = 120) => ({ client, maxWaitTime, minDelay: 0.25, maxDelay: 5 });

/** Check now and every intervalMs until `check` gives a value, for up to timeoutMs; says every 5 s what it awaits. */
export async function pollUntil<T>(
  what: string | (() => string),
  check: () => Promise<T | undefined>,
  { timeoutMs = 60_000, intervalMs = 500 } = {},
): Promise<T> {
  const label = () => (typeof what === "string" ? what : what());
  const waiting = new Progress(label(), { firstAfterMs: Number.POSITIVE_INFINITY });
  const deadline = Date.now() + timeoutMs;
  let value: T | undefined;
  try {
    for (;;) {
      value = await check();
      if (value !== undefined) return value;
      waiting.stillWaiting(label());
      if (Date.now() >= deadline)
        throw new WorkshopError(`gave up after ${Math.round(timeoutMs / 1000)} s waiting for ${label()}`);
      await sleep(intervalMs);
    }
  } finally {
    waiting.done(value !== undefined); // no ✓ when it gave up
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
      await new Promise((resolve) => setTimeout(resolve, delayMs)); // the global timer: tests can fake it
    }
  }
}
