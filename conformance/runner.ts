// Running the conformance checks on a target: each within its time, one row each, and a
// verdict against the target's known differences (known.ts).
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import type { TargetOptions } from "../shared/options.js";
import { type Check, Differs, type Group, makeContext } from "./check.js";
import { KNOWN_DIFFERENCES, type KnownDifference } from "./known.js";
import { LAMBDA_CHECKS } from "./lambda.js";
import { MAPPING_CHECKS } from "./mapping.js";
import { READ_CHECKS } from "./reads.js";
import { RESHARD_CHECKS } from "./reshard.js";
import { STREAM_CHECKS } from "./streams.js";
import { WRITE_CHECKS } from "./writes.js";

export const ALL_CHECKS: Check[] = [
  ...STREAM_CHECKS,
  ...WRITE_CHECKS,
  ...READ_CHECKS,
  ...RESHARD_CHECKS,
  ...LAMBDA_CHECKS,
  ...MAPPING_CHECKS,
];
export const GROUPS: Group[] = ["streams", "writes", "reads", "reshard", "lambda", "mapping"];

/**
 * ✓ as AWS documents; ✗ not, and not listed (the run fails); "known" not, as listed;
 * "listed, but ✓": behaves as AWS now, so the list should lose it; "skipped": not run here.
 */
export type Outcome = "✓" | "✗" | "known" | "listed, but ✓" | "skipped";

export interface Row {
  id: string;
  group: Group;
  lesson: string;
  aws: string;
  source: string;
  /** What the target did (or why the check did not run). */
  observed: string;
  outcome: Outcome;
  /** The known difference's reason, when there is one. */
  reason?: string;
  ms: number;
}

/** The outcome of a check that ran: did it pass, and is it a listed difference on this target? */
export function verdict(passed: boolean, known: KnownDifference | undefined): Outcome {
  if (passed) return known ? "listed, but ✓" : "✓";
  return known ? "known" : "✗";
}

/** Does a run with these rows fail? Only an unlisted difference fails it. */
export const runFails = (rows: Row[]) => rows.some((r) => r.outcome === "✗");

/** Which checks run: a group only, the long ones only with --long, AWS-only ones only on aws. */
export function selectChecks(checks: Check[], options: { target: string; only?: string; long: boolean }) {
  return checks.map((check) => {
    const asked = options.only?.split(",");
    const why =
      asked && !asked.includes(check.group) && !asked.includes(check.id)
        ? "not asked for (--only)"
        : check.long && !options.long
          ? "long: run with --long"
          : check.awsOnly && options.target !== "aws"
            ? "on AWS only"
            : undefined;
    return { check, skip: why };
  });
}

/** Run one check within `limitMs`, its resources deleted after, and give its row. */
export async function runCheck(
  check: Check,
  options: TargetOptions,
  kinesis: KinesisClient,
  limitMs = check.long ? 7 * 60_000 : (check.limitSeconds ?? 30) * 1000,
): Promise<Row> {
  const started = Date.now();
  const ctx = makeContext(options, kinesis);
  const known = KNOWN_DIFFERENCES[options.target][check.id];
  let observed: string;
  let passed: boolean;
  let timer: NodeJS.Timeout | undefined;
  try {
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Differs(`took more than ${limitMs / 1000} s`)), limitMs);
    });
    observed = await Promise.race([check.run(ctx), late]);
    passed = true;
  } catch (error) {
    const e = error as Error;
    observed = e instanceof Differs ? e.message : `${e.name}: ${e.message}`;
    passed = false;
  } finally {
    clearTimeout(timer);
    await ctx.finish();
  }
  const { id, group, lesson, aws, source } = check;
  return {
    id,
    group,
    lesson,
    aws,
    source,
    observed,
    outcome: verdict(passed, known),
    reason: known?.reason,
    ms: Date.now() - started,
  };
}

/** One line a check: its outcome, id, what AWS documents, what the target did (and why, if known). */
export function formatRow(row: Row): string {
  const mark = { "✓": "✓", "✗": "✗", known: "≠", "listed, but ✓": "✓!", skipped: "·" }[row.outcome];
  const because = row.outcome === "known" && row.reason ? ` (known: ${row.reason})` : "";
  const note = row.outcome === "listed, but ✓" ? " (listed as a known difference: take it off the list)" : "";
  const met = row.outcome === "✗" || row.outcome === "known" ? ` [lesson ${row.lesson} meets this]` : "";
  return `${mark.padEnd(2)} ${row.id.padEnd(32)} ${row.aws}\n     → ${row.observed}${because}${note}${met}`;
}

/** The closing line: counts by outcome. */
export function summaryLine(rows: Row[]): string {
  const count = (o: Outcome) => rows.filter((r) => r.outcome === o).length;
  return `${count("✓")} as AWS documents, ${count("known")} known difference(s), ${count("listed, but ✓")} listed but now as AWS, ${count("✗")} unexpected, ${count("skipped")} skipped`;
}
