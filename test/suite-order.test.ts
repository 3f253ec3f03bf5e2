// vitest.config.ts starts the longest integration files first, by name: a file renamed or
// removed there would quietly lose its place at the front, and the suite its short tail.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { PROJECT_ROOT } from "../shared/paths.js";

it("vitest.config.ts names only integration files that exist, each once", () => {
  const config = readFileSync(join(PROJECT_ROOT, "vitest.config.ts"), "utf8");
  const list = /const LONGEST = \[([^\]]*)\]/.exec(config)?.[1] ?? "";
  const names = [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
  expect(names.length).toBeGreaterThan(5);
  for (const name of names) {
    expect(name).toMatch(/\.int\.test\.ts$/);
    expect(existsSync(join(PROJECT_ROOT, name)), name).toBe(true);
  }
  expect(new Set(names).size).toBe(names.length);
});
