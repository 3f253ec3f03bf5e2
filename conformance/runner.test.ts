// The conformance runner's rules, and the README's differences table against the known list.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../shared/paths.js";
import { KNOWN_DIFFERENCES, UNCHECKED_README_ROWS } from "./known.js";
import { ALL_CHECKS, formatRow, type Row, runFails, selectChecks, verdict } from "./runner.js";

const row = (outcome: Row["outcome"], reason?: string): Row => ({
  id: "writes.record-rate",
  group: "writes",
  lesson: "02",
  aws: "a shard takes 1,000 records a second",
  source: "Developer Guide",
  observed: "0 of 2,000 refused",
  outcome,
  reason,
  ms: 5,
});

describe("the verdict on a check", () => {
  const known = { reason: "no limits there" };
  it("passes as AWS documents, or is a listed difference; anything else fails the run", () => {
    expect(verdict(true, undefined)).toBe("✓");
    expect(verdict(false, known)).toBe("known");
    expect(verdict(false, undefined)).toBe("✗");
    expect(runFails([row("✓"), row("known"), row("skipped")])).toBe(false);
    expect(runFails([row("✓"), row("✗")])).toBe(true);
  });

  it("reports a listed difference that now passes, so the list can shrink, without failing the run", () => {
    expect(verdict(true, known)).toBe("listed, but ✓");
    expect(runFails([row("listed, but ✓")])).toBe(false);
    expect(formatRow(row("listed, but ✓"))).toContain("take it off the list");
  });

  it("prints one row a check: the mark, the id, what AWS documents, and what the target did (and why)", () => {
    expect(formatRow(row("known", "no limits there"))).toBe(
      "≠  writes.record-rate               a shard takes 1,000 records a second\n     → 0 of 2,000 refused (known: no limits there) [lesson 02 meets this]",
    );
    expect(formatRow(row("✗")).startsWith("✗  writes.record-rate")).toBe(true);
  });

  it("runs a group or one check with --only, long checks with --long, AWS-only checks on aws", () => {
    const skips = (options: { target: string; only?: string; long: boolean }) =>
      Object.fromEntries(selectChecks(ALL_CHECKS, options).map(({ check, skip }) => [check.id, skip]));
    expect(skips({ target: "local", long: false })["reads.iterator-expiry"]).toBe("long: run with --long");
    expect(skips({ target: "local", long: true })["reads.iterator-expiry"]).toBeUndefined();
    const onlyReads = skips({ target: "local", only: "reads", long: false });
    expect(onlyReads["reads.limit"]).toBeUndefined();
    expect(onlyReads["writes.record-rate"]).toBe("not asked for (--only)");
  });
});

describe("the checks", () => {
  it("have stable, unique ids in their group, and each names the AWS document it checks", () => {
    const ids = ALL_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const check of ALL_CHECKS) {
      expect(check.id.startsWith(`${check.group}.`), check.id).toBe(true);
      expect(check.source, check.id).toMatch(/(Developer Guide|API Reference)/);
    }
    expect(ALL_CHECKS.filter((c) => !c.long).length).toBeGreaterThanOrEqual(25);
  });

  it("are the only ids the known-differences lists name", () => {
    const ids = new Set(ALL_CHECKS.map((c) => c.id));
    for (const [target, list] of Object.entries(KNOWN_DIFFERENCES))
      for (const id of Object.keys(list)) expect(ids.has(id), `${target}: ${id}`).toBe(true);
  });
});

describe("the README's table of differences", () => {
  const readme = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");
  const start = readme.indexOf("**Where the local target still differs from AWS.**");
  const rows = readme
    .slice(start)
    .split("\n")
    .slice(0, 40)
    .filter((line) => line.startsWith("| ") && !line.startsWith("| what ") && !line.startsWith("| ---"))
    .map((line) => line.split("|")[1]!.trim());
  const listed = Object.values(KNOWN_DIFFERENCES.local).map((k) => k.readmeRow);

  it("has a row for each known difference of the local target", () => {
    expect(rows.length).toBeGreaterThan(5);
    for (const readmeRow of listed) expect(rows, String(readmeRow)).toContain(readmeRow);
  });

  it("has no row that is neither a known difference nor said to be unchecked, with the reason", () => {
    for (const readmeRow of rows)
      expect(listed.includes(readmeRow) || readmeRow in UNCHECKED_README_ROWS, readmeRow).toBe(true);
  });
});
