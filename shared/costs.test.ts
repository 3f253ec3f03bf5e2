import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { confirmBillable, streamCost } from "./costs.js";
import type { Prompt } from "./output.js";
import { parseOptions } from "./options.js";

const lesson = { usage: "x", about: "x", flags: {} };
const stream = { what: "stream s with 1 provisioned shard(s)", cost: streamCost(1) };

/** A prompt that answers `answer`, and records what was asked. */
function answering(answer: string | undefined, interactive = true): Prompt & { asked: () => string } {
  const input = new PassThrough();
  const output = new PassThrough();
  let asked = "";
  output.on("data", (d) => (asked += d));
  if (answer !== undefined) setTimeout(() => input.write(`${answer}\n`), 10);
  return { input, output, interactive, asked: () => asked };
}

describe("the cost guard", () => {
  it("never asks on emulator targets", async () => {
    const prompt = answering(undefined);
    await confirmBillable(parseOptions(lesson, ["--target", "local"], {}), [stream], prompt);
    await confirmBillable(parseOptions(lesson, ["--target", "localstack"], {}), [stream], prompt);
    expect(prompt.asked()).toBe("");
  });

  it("does not ask on aws with --yes", async () => {
    const prompt = answering(undefined);
    await confirmBillable(
      parseOptions(lesson, ["--target", "aws", "--region", "eu-west-1", "--yes"], {}),
      [stream],
      prompt,
    );
    expect(prompt.asked()).toBe("");
  });

  it("asks once on aws: yes goes ahead and is remembered for the rest of the run", async () => {
    const options = parseOptions(lesson, ["--target", "aws", "--region", "eu-west-1"], {});
    const prompt = answering("y");
    await confirmBillable(options, [stream], prompt);
    expect(prompt.asked()).toContain("Go ahead? [y/N]");
    expect(options.yes).toBe(true);
    await confirmBillable(options, [stream], answering(undefined)); // would hang if it asked again
  });

  it("stops before anything is created on no, or on an empty answer", async () => {
    for (const answer of ["n", ""]) {
      const options = parseOptions(lesson, ["--target", "aws", "--region", "eu-west-1"], {});
      await expect(confirmBillable(options, [stream], answering(answer))).rejects.toThrow(/nothing was created.*--yes/);
      expect(options.yes).toBe(false);
    }
  });

  it("without a terminal, refuses and says to pass --yes", async () => {
    const options = parseOptions(lesson, ["--target", "aws", "--region", "eu-west-1"], {});
    await expect(confirmBillable(options, [stream], answering(undefined, false))).rejects.toThrow(
      /run again with --yes/,
    );
  });

  it("prices a provisioned stream by its shards", () => {
    expect(streamCost(1)).toMatch(/^about \$0\.015 per hour/);
    expect(streamCost(4)).toMatch(/^about \$0\.060 per hour/);
  });
});
