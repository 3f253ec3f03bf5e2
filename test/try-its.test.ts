// How a questions.md's try-it blocks are read, and how its answers are laid out.
//
// Each questions.md puts its answers behind <details>, so a student reads the question,
// thinks, and then opens the answer; the try-it blocks inside are still found and run.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../shared/paths.js";
import { firstMissing, parseTryIts } from "./try-its.js";

const FILES = ["01-make-a-stream", "02-produce-data", "03-basic-consumer", "04-kcl-consumer", "05-lambda-function"];

describe("questions.md layout", () => {
  it.each(FILES)("%s: every question's answer is folded, and every try-it block in it is still read", (lesson) => {
    const text = readFileSync(join(PROJECT_ROOT, lesson, "questions.md"), "utf8");
    const sections = text.split(/^## /m).slice(1);
    expect(sections.length).toBeGreaterThan(2);
    for (const section of sections) {
      const [heading = "", ...body] = section.split("\n");
      if (heading === "Good to know") continue;
      expect(heading, "a question").toMatch(/\?/);
      const answer = body.join("\n").trim();
      expect(answer.startsWith("<details><summary>"), `'${heading}' opens with <details>`).toBe(true);
      expect(answer.endsWith("</details>"), `'${heading}' closes its <details>`).toBe(true);
    }
    const consoleBlocks = text.match(/^\s*```console\s*$/gm)?.length ?? 0;
    expect(parseTryIts(text).blocks).toHaveLength(consoleBlocks);
  });
});

describe("questions.md: how the try-it blocks are read", () => {
  it("splits commands from promised lines, reads setup and skip notes, and matches … as anything", () => {
    const { setup, blocks } = parseTryIts(
      [
        "<!-- try-it setup: npx tsx a.ts -->",
        "```console",
        "$ x --json | tail -n 1",
        '{"n":1,…}      # one',
        "$ y",
        "```",
        "<!-- try-it skip: needs two terminals -->",
        "  ```console",
        "  $ z",
        "  ```",
      ].join("\n"),
    );
    expect(setup).toEqual(["npx tsx a.ts"]);
    expect(blocks).toEqual([
      {
        line: 2,
        commands: [
          { command: "x --json | tail -n 1", promised: ['{"n":1,…}'] },
          { command: "y", promised: [] },
        ],
      },
      { line: 8, skip: "needs two terminals", commands: [{ command: "z", promised: [] }] },
    ]);
    expect(firstMissing('noise\n{"n":1,"m":2}\n', ['{"n":1,…}'], 4599)).toBeUndefined();
    expect(firstMissing('{"n":2}', ['{"n":1,…}'], 4599)).toBe('{"n":1,…}');
    expect(firstMissing("b\na", ["a", "b"], 4599)).toBe("b"); // order matters
    expect(
      firstMissing("▶ endpoint http://127.0.0.1:5123", ["▶ endpoint http://127.0.0.1:4599"], 5123),
    ).toBeUndefined();
  });
});
