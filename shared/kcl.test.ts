import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { followJsonLines } from "./kcl.js";

describe("followJsonLines", () => {
  it("returns each complete line once, and keeps a half-written line for the next call", () => {
    const file = join(mkdtempSync(join(tmpdir(), "follow-")), "reports.jsonl");
    writeFileSync(file, "");
    const next = followJsonLines<{ i: number }>(file);
    expect(next()).toEqual([]);
    appendFileSync(file, '{"i":1}\n{"i":2}\n{"i":');
    expect(next()).toEqual([{ i: 1 }, { i: 2 }]);
    expect(next()).toEqual([]);
    appendFileSync(file, '3}\n{"i":4}\n');
    expect(next()).toEqual([{ i: 3 }, { i: 4 }]);
  });
});
