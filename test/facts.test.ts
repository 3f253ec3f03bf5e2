// Facts that were once wrong in the lessons, checked so that they stay right (issue 22).
// Each is what AWS documents in 2026; the text around them in the lessons says where.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../shared/paths.js";

const read = (path: string) => readFileSync(join(PROJECT_ROOT, path), "utf8");

describe("facts the lessons state", () => {
  it("a poison record reported with bisection on is delivered at least three times, not exactly three", () => {
    for (const path of ["05-lambda-function/questions.md", "05-lambda-function/logs.ts"]) {
      expect(read(path), path).toMatch(/at least three/);
      expect(read(path), path).not.toMatch(/delivered three times/);
    }
  });

  it("the function runs on nodejs24.x (nodejs22.x is deprecated on 2027-04-30)", () => {
    expect(read("05-lambda-function/deploy-function.ts")).toMatch(/Runtime: "nodejs24\.x"/);
    for (const path of ["05-lambda-function/main.ts", "05-lambda-function/questions.md", "README.md"]) {
      expect(read(path), path).toMatch(/nodejs24\.x/);
    }
    for (const path of ["05-lambda-function/deploy-function.ts", "05-lambda-function/main.ts", "README.md"]) {
      expect(read(path), `${path} still names nodejs22.x as the runtime`).not.toMatch(
        /`nodejs22\.x` as asked|Runtime: "nodejs22/,
      );
    }
  });

  it("Kinesis has three capacity modes: On-demand Standard, On-demand Advantage and Provisioned", () => {
    const text = read("01-make-a-stream/questions.md");
    for (const mode of ["On-demand Standard", "On-demand Advantage", "Provisioned"])
      expect(text).toContain(`**${mode}**`);
    expect(text).toMatch(/three capacity modes/);
  });

  it("lesson 04 runs the KCL 3.x, and says AWS calls 1.x and 2.x outdated", () => {
    const lock = read("04-kcl-consumer/kcl-jars.lock");
    expect(lock).toMatch(/^software\.amazon\.kinesis:amazon-kinesis-client-multilang:3\.\d+\.\d+ [0-9a-f]{40}$/m);
    expect(lock).not.toMatch(/amazon-kinesis-client(-multilang)?:[12]\./);
    for (const path of ["04-kcl-consumer/main.ts", "04-kcl-consumer/questions.md"])
      expect(read(path), path).toMatch(/1\.x and 2\.x[\s/]+outdated/);
  });
});
