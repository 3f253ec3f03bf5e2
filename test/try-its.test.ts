// How a questions.md's try-it blocks are read, and how its questions are laid out.
//
// Each question asks the student to predict, then run a try-it, and only then open the
// answer behind <details>; the answer repeats the try-it's commands with what they print.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../shared/paths.js";
import { firstMissing, layoutProblems, parseTryIts } from "./try-its.js";

const FILES = ["01-make-a-stream", "02-produce-data", "03-basic-consumer", "04-kcl-consumer", "05-lambda-function"];

describe("questions.md layout", () => {
  it.each(FILES)("%s: every question has a try-it before its folded answer", (lesson) => {
    const text = readFileSync(join(PROJECT_ROOT, lesson, "questions.md"), "utf8");
    const sections = text.split(/^## /m).slice(1);
    expect(sections.length).toBeGreaterThan(2);
    for (const section of sections) {
      const [heading = "", ...body] = section.split("\n");
      if (heading === "Good to know") continue;
      expect(heading, "a question").toMatch(/\?/);
      const answer = body.join("\n").trim();
      expect(answer, `'${heading}' folds its answer in <details>`).toMatch(/^<details><summary>/m);
      expect(answer.endsWith("</details>"), `'${heading}' closes its <details>`).toBe(true);
    }
    expect(layoutProblems(text)).toEqual([]);
    const { blocks, questions } = parseTryIts(text);
    const run = blocks.filter((b) => !b.skip);
    expect(run.length, "a questions.md with nothing to try").toBeGreaterThan(0);
    // Every try-it before a fold has its commands checked somewhere: what they print, or at least their exit code.
    expect(questions.flatMap((q) => q.tryIts).every((t) => blocks.includes(t))).toBe(true);
  });
});

describe("questions.md: the layout checker", () => {
  const answer = [
    "<details><summary>Think about it first, then open the answer</summary>",
    "",
    "Because.",
    "",
    "</details>",
  ];
  it("fails on a question without a try-it before its answer", () => {
    const text = ["## What happens?", "", ...answer].join("\n");
    expect(layoutProblems(text)).toEqual([
      "line 1 'What happens?': no try-it (a console block of commands) before its answer",
    ]);
  });
  it("fails on a question whose only try-it is inside the answer", () => {
    const text = [
      "## What happens?",
      "",
      "<details><summary>…</summary>",
      "```console",
      "$ x",
      "```",
      "</details>",
    ].join("\n");
    expect(layoutProblems(text)).toHaveLength(1);
  });
  it("fails on a try-it that shows its output before the answer", () => {
    const text = ["## What happens?", "Run it:", "```console", "$ x", "it printed this", "```", ...answer].join("\n");
    expect(layoutProblems(text)).toEqual([
      "line 1 'What happens?': the try-it at line 3 shows output before the answer",
    ]);
  });
  it("fails on an aws-only try-it that the question does not announce", () => {
    const text = [
      "## What happens?",
      "<!-- try-it aws-only: IAM -->",
      "```console",
      "$ x --target aws",
      "```",
      ...answer,
    ].join("\n");
    expect(layoutProblems(text)[0]).toMatch(/on AWS only/);
  });
  it("passes a runnable try-it, an announced aws-only one, and a skipped one", () => {
    const good = [
      ["## A?", "Guess, then run it:", "```console", "$ x", "```", ...answer],
      [
        "## B?",
        "On AWS only (MiniStack has no IAM):",
        "<!-- try-it aws-only: IAM -->",
        "```console",
        "$ x --target aws",
        "```",
        ...answer,
      ],
      [
        "## C?",
        "Come back in 5 minutes:",
        "<!-- try-it skip: it waits 5 minutes -->",
        "```console",
        "$ x",
        "```",
        ...answer,
      ],
      ["## Good to know", "- facts, no question"],
    ];
    expect(layoutProblems(good.flat().join("\n"))).toEqual([]);
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

describe("questions.md: a try-it's output shown in its answer", () => {
  it("is checked against the try-it's run, not run again", () => {
    const { blocks, questions } = parseTryIts(
      [
        "## How many?",
        "Predict, then run it:",
        "```console",
        "$ x --count 5",
        "$ y",
        "```",
        "<details><summary>Think about it first, then open the answer</summary>",
        "",
        "```console",
        "$ x --count 5",
        "Put 5 record(s)",
        "$ y",
        "✗ no",
        "```",
        "",
        "</details>",
      ].join("\n"),
    );
    expect(blocks).toEqual([
      {
        line: 3,
        commands: [
          { command: "x --count 5", promised: ["Put 5 record(s)"] },
          { command: "y", promised: ["✗ no"] },
        ],
      },
    ]);
    expect(questions).toEqual([{ heading: "How many?", line: 1, foldLine: 7, tryIts: blocks }]);
  });
});
