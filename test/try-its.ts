// Reading a questions.md's try-it blocks (see test/questions.int.test.ts for the format).

export interface TryItCommand {
  command: string;
  promised: string[];
}
export interface TryItBlock {
  line: number;
  commands: TryItCommand[];
  skip?: string;
}

/** Read a questions.md into its setup commands and its try-it blocks. */
export function parseTryIts(markdown: string): { setup: string[]; blocks: TryItBlock[] } {
  const setup: string[] = [];
  const blocks: TryItBlock[] = [];
  let skip: string | undefined;
  let block: TryItBlock | undefined;
  let indent = 0;
  for (const [i, raw] of markdown.split("\n").entries()) {
    if (!block) {
      const comment = /^\s*<!-- try-it (setup|skip): (.+?) -->\s*$/.exec(raw);
      if (comment?.[1] === "setup") setup.push(comment[2]!);
      else if (comment?.[1] === "skip") skip = comment[2];
      const open = /^(\s*)```console\s*$/.exec(raw);
      if (open) {
        block = { line: i + 1, commands: [], ...(skip ? { skip } : {}) };
        indent = open[1]!.length;
        skip = undefined;
      }
      continue;
    }
    if (/^\s*```\s*$/.test(raw)) {
      blocks.push(block);
      block = undefined;
      continue;
    }
    const line = raw.slice(indent).replace(/\s{2,}#.*$/, ""); // a trailing "   # comment" is for the reader
    if (line.startsWith("$ ")) block.commands.push({ command: line.slice(2), promised: [] });
    else if (line.trim() !== "") block.commands.at(-1)?.promised.push(line.trim());
  }
  return { setup, blocks };
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
