// What a lesson prints: progress lines, the banner, the summary.
//
// Lessons print with say(). With --json the summary is also printed as one JSON
// line, last, for scripts and tests. WORKSHOP_QUIET=1 silences everything but
// that JSON line (the tests use it).
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline/promises";

const quiet = () => process.env.WORKSHOP_QUIET === "1";

/** Print one line for the student. */
export function say(line = ""): void {
  if (!quiet()) process.stdout.write(`${line}\n`);
}

/** Print a line that a long step has started; call the result when it is done. */
export function progress(label: string): () => void {
  const started = performance.now();
  if (!quiet()) process.stderr.write(`… ${label}\n`);
  return () => {
    if (!quiet()) process.stderr.write(`✓ ${label} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
  };
}

/**
 * Await `work`; if it takes more than a second, say on stderr what we are waiting for,
 * and how long it took once it is done. For the SDK's waiters, which can take a minute on AWS.
 */
export async function waitingFor<T>(label: string, work: Promise<T>): Promise<T> {
  const started = performance.now();
  let shown = false;
  const timer = setTimeout(() => {
    shown = true;
    if (!quiet()) process.stderr.write(`… waiting for ${label}\n`);
  }, 1000);
  try {
    return await work;
  } finally {
    clearTimeout(timer);
    if (shown && !quiet())
      process.stderr.write(`✓ ${label} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
  }
}

/** Print the lesson's summary: as aligned "key  value" lines, and as one JSON line last with --json. */
export function printSummary(summary: object, json: boolean): void {
  say();
  const width = Math.max(...Object.keys(summary).map((k) => k.length));
  for (const [key, value] of Object.entries(summary)) {
    say(`  ${key.padEnd(width)}  ${typeof value === "object" ? JSON.stringify(value) : value}`);
  }
  if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
}

/** A compact table: records per shard and the like. */
export function table(rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const keys = Object.keys(rows[0]!);
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k] ?? "").length)));
  const line = (cells: string[]) => say(`  ${cells.map((c, i) => c.padEnd(widths[i]!)).join("  ")}`.trimEnd());
  line(keys);
  for (const row of rows) line(keys.map((k) => String(row[k] ?? "")));
}

/** Where a yes/no answer comes from: the terminal, or (in tests) anything readable. */
export interface Prompt {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  interactive: boolean;
}

export const terminalPrompt = (): Prompt => ({
  input: process.stdin,
  output: process.stdout,
  interactive: Boolean(process.stdin.isTTY),
});

/** Ask "question [y/N]"; only y or yes (any case) is a yes. */
export async function askYesNo(question: string, prompt: Prompt = terminalPrompt()): Promise<boolean> {
  const questions = createInterface({ input: prompt.input, output: prompt.output });
  try {
    return /^y(es)?$/i.test((await questions.question(`${question} [y/N] `)).trim());
  } finally {
    questions.close();
  }
}
