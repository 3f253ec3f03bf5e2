// Reading a questions.md's try-it blocks (see test/questions.int.test.ts for the format).
//
// A questions.md asks, the student predicts, runs, and then opens the answer:
//
//   ## How many of these records will be refused?     the question
//   What do you expect? Run it:                         a line asking for a prediction
//   ```console                                          the try-it: commands only, no output
//   $ npx tsx 02-produce-data/main.ts --count 5000
//   ```
//   <details><summary>…</summary>                       the answer, folded
//   ```console                                          the same commands again, now with the
//   $ npx tsx 02-produce-data/main.ts --count 5000      lines they print: this block is not run
//   … entries were refused …                            again; its lines are checked against
//   ```                                                 the try-it's run
//   </details>
//
// A question whose behaviour the local target cannot show carries
// <!-- try-it aws-only: REASON --> before its try-it, whose commands use --target aws; and
// <!-- try-it skip: REASON --> exempts a block that cannot run in a test (two terminals, a
// five-minute wait). Neither kind is run.

export interface TryItCommand {
  command: string;
  promised: string[];
}
export interface TryItBlock {
  line: number;
  commands: TryItCommand[];
  /** Why the block is not run (a skip or an aws-only note), if it is not. */
  skip?: string;
  awsOnly?: boolean;
}
/** A `##` section of a questions.md, and the try-its that stand before its answer. */
export interface Question {
  heading: string;
  line: number;
  /** Where its `<details>` opens, if it has one. */
  foldLine?: number;
  tryIts: TryItBlock[];
}

const sameCommands = (a: TryItBlock, b: TryItBlock) =>
  a.commands.length === b.commands.length && a.commands.every((c, i) => c.command === b.commands[i]!.command);

/**
 * Read a questions.md into its setup commands, its try-it blocks (what the test runs) and
 * its questions. A block inside an answer that repeats, command for command, a try-it of
 * the same question before the fold is that try-it's output: its lines go to the try-it.
 */
export function parseTryIts(markdown: string): { setup: string[]; blocks: TryItBlock[]; questions: Question[] } {
  const setup: string[] = [];
  const blocks: TryItBlock[] = [];
  const questions: Question[] = [];
  let note: { skip: string; awsOnly: boolean } | undefined;
  let block: TryItBlock | undefined;
  let indent = 0;
  let question: Question | undefined;
  const closeBlock = (closed: TryItBlock) => {
    const answered = question?.foldLine ? question.tryIts.find((t) => sameCommands(t, closed)) : undefined;
    if (answered) {
      for (const [i, c] of closed.commands.entries()) answered.commands[i]!.promised.push(...c.promised);
      return;
    }
    blocks.push(closed);
    if (question && !question.foldLine) question.tryIts.push(closed);
  };
  for (const [i, raw] of markdown.split("\n").entries()) {
    if (!block) {
      const heading = /^## (.+)$/.exec(raw);
      if (heading) {
        question = { heading: heading[1]!.trim(), line: i + 1, tryIts: [] };
        questions.push(question);
        continue;
      }
      if (question && !question.foldLine && /^\s*<details>/.test(raw)) question.foldLine = i + 1;
      const comment = /^\s*<!-- try-it (setup|skip|aws-only): (.+?) -->\s*$/.exec(raw);
      if (comment?.[1] === "setup") setup.push(comment[2]!);
      else if (comment) note = { skip: comment[2]!, awsOnly: comment[1] === "aws-only" };
      const open = /^(\s*)```console\s*$/.exec(raw);
      if (open) {
        block = {
          line: i + 1,
          commands: [],
          ...(note ? { skip: note.skip } : {}),
          ...(note?.awsOnly ? { awsOnly: true } : {}),
        };
        indent = open[1]!.length;
        note = undefined;
      }
      continue;
    }
    if (/^\s*```\s*$/.test(raw)) {
      closeBlock(block);
      block = undefined;
      continue;
    }
    const line = raw.slice(indent).replace(/\s{2,}#.*$/, ""); // a trailing "   # comment" is for the reader
    if (line.startsWith("$ ")) block.commands.push({ command: line.slice(2), promised: [] });
    else if (line.trim() !== "") block.commands.at(-1)?.promised.push(line.trim());
  }
  return { setup, blocks, questions };
}

/**
 * What is wrong with the questions' layout, one line each (none: it is right). Each `##`
 * question (but "Good to know") has a try-it before its folded answer, with commands and
 * no output (the output goes in the answer). A try-it the test does not run says why, in
 * its aws-only or skip note; an aws-only one also needs "on AWS only" before the answer.
 */
export function layoutProblems(markdown: string): string[] {
  const problems: string[] = [];
  const { questions } = parseTryIts(markdown);
  const text = markdown.split("\n");
  for (const q of questions) {
    if (q.heading === "Good to know") continue;
    const where = `line ${q.line} '${q.heading}'`;
    if (!q.foldLine) {
      problems.push(`${where}: no folded answer (<details>)`);
      continue;
    }
    if (q.tryIts.length === 0 || q.tryIts.every((t) => t.commands.length === 0)) {
      problems.push(`${where}: no try-it (a console block of commands) before its answer`);
      continue;
    }
    for (const t of q.tryIts) {
      if (t.line > q.foldLine) continue;
      const shown = text
        .slice(
          t.line,
          text.findIndex((l, i) => i >= t.line && /^\s*```\s*$/.test(l)),
        )
        .some((l) => l.trim() !== "" && !l.trim().startsWith("$ "));
      if (shown) problems.push(`${where}: the try-it at line ${t.line} shows output before the answer`);
    }
    const awsOnly = q.tryIts.some((t) => t.awsOnly);
    if (awsOnly && !/on AWS only/i.test(text.slice(q.line, q.foldLine).join("\n")))
      problems.push(`${where}: an aws-only try-it, but the question does not say "on AWS only" before its answer`);
  }
  return problems;
}

/** A promised line as a pattern: … and ... match anything, runs of spaces any spacing. */
export function promisedPattern(line: string, port: number): RegExp {
  const escaped = line
    .replaceAll("127.0.0.1:4599", `127.0.0.1:${port}`)
    .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    .replace(/…|\\\.\\\.\\\./g, ".*")
    .replace(/\s+/g, "\\s+");
  return new RegExp(`^${escaped}$`);
}

/** The promised lines, in order, each matched by some later line of the output; the first that is not, if any. */
export function firstMissing(output: string, promised: string[], port: number): string | undefined {
  const lines = output.split("\n").map((l) => l.trim());
  let at = 0;
  for (const line of promised) {
    const pattern = promisedPattern(line, port);
    const found = lines.findIndex((l, i) => i >= at && pattern.test(l));
    if (found < 0) return line;
    at = found + 1;
  }
  return undefined;
}
