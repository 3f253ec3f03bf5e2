// What a lesson prints: progress lines, the banner, the summary (with --json also one JSON line, last, for
// scripts and tests). WORKSHOP_QUIET=1 silences say() and note(); results and failures still print.
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline/promises";

// Every line the workshop prints is written here, by one of the five below.
function write(to: NodeJS.WriteStream, line: string, evenWhenQuiet = false): void {
  if (evenWhenQuiet || process.env.WORKSHOP_QUIET !== "1") to.write(`${line}\n`);
}
/** A line of the story, for the student (stdout). */
export const say = (line = "") => write(process.stdout, line);
/** A command's result, printed even when quiet: --help, the bench's table. */
export const report = (line = "") => write(process.stdout, line, true);
/** A summary as one JSON line, last on stdout, for scripts and tests (--json). */
export const printJson = (value: unknown) => write(process.stdout, JSON.stringify(value), true);
/** Progress on stderr, so stdout stays the lesson's story. */
export const note = (line: string) => write(process.stderr, line);
/** A failure, on stderr, always. */
export const problem = (line: string) => write(process.stderr, line, true);

/**
 * The one way the workshop says it waits: "… label" once the wait is `firstAfterMs` old (at once by default;
 * Infinity: never), "… still waiting for label (N s)" when stillWaiting() is called 5 s or more after the
 * start or the last heardFrom(), and "✓ label (N s)" at done() if anything was said (never at done(false)).
 */
export class Progress {
  private readonly started = performance.now();
  private said = false;
  private nextStillWaiting = this.started + 5000;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly label: string,
    { firstAfterMs = 0, firstWords = "" } = {},
  ) {
    const first = () => {
      this.said = true;
      note(`… ${firstWords}${label}`);
    };
    if (firstAfterMs === 0) first();
    else if (Number.isFinite(firstAfterMs)) this.timer = setTimeout(first, firstAfterMs);
  }

  heardFrom(): void {
    this.nextStillWaiting = performance.now() + 5000;
  }

  stillWaiting(label: string = this.label): void {
    if (performance.now() < this.nextStillWaiting) return;
    this.said = true;
    note(`… still waiting for ${label} (${Math.round((performance.now() - this.started) / 1000)} s)`);
    this.heardFrom();
  }

  done(succeeded = true): void {
    clearTimeout(this.timer);
    if (this.said && succeeded) note(`✓ ${this.label} (${((performance.now() - this.started) / 1000).toFixed(1)} s)`);
  }
}

/** Await `work`; after a second, say what we wait for (the SDK's waiters can take a minute on AWS). */
export async function waitingFor<T>(label: string, work: Promise<T>): Promise<T> {
  const shown = new Progress(label, { firstAfterMs: 1000, firstWords: "waiting for " });
  const value = await work.catch((error: unknown) => {
    shown.done(false); // the failure speaks for itself: no ✓
    throw error;
  });
  shown.done();
  return value;
}

/** Print the lesson's summary: as aligned "key  value" lines, and as one JSON line last with --json. */
export function printSummary(summary: object, json: boolean): void {
  say();
  const width = Math.max(...Object.keys(summary).map((k) => k.length));
  for (const [key, value] of Object.entries(summary)) {
    say(`  ${key.padEnd(width)}  ${typeof value === "object" ? JSON.stringify(value) : value}`);
  }
  if (json) printJson(summary);
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
export type Prompt = { input: NodeJS.ReadableStream; output: NodeJS.WritableStream; interactive: boolean };

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
