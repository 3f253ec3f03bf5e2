import { describe, expect, it } from "vitest";
import { WorkshopError } from "./errors.js";
import { defineFlags, helpText, parseOptions, wholeNumberFlag } from "./options.js";
import { resolveTarget } from "./targets.js";

const lesson = {
  usage: "npx tsx 99-test/main.ts",
  about: "A test lesson.",
  flags: defineFlags({
    count: { type: "string", default: "5", help: "how many" },
    single: { type: "boolean", help: "one" },
  }),
};

describe("parseOptions", () => {
  it("turns a flag's text into its value with the flag's parse(), and refuses a bad one", () => {
    const counted = {
      ...lesson,
      flags: defineFlags({
        count: {
          type: "string",
          default: "5",
          help: "how many",
          parse: (n) => wholeNumberFlag("").parse(n, "--count"),
        },
      }),
    };
    expect(parseOptions(counted, [], {}).count).toBe(5);
    expect(parseOptions(counted, ["--count", "12"], {}).count).toBe(12);
    expect(() => parseOptions(counted, ["--count", "lots"], {})).toThrow(
      new WorkshopError("--count must be a whole number 1 or more, got 'lots'"),
    );
  });

  it("defaults to the local target on port 4599 with the workshop stream", () => {
    const options = parseOptions(lesson, [], {});
    expect(options).toMatchObject({
      target: "local",
      endpoint: "http://127.0.0.1:4599",
      region: "us-east-1",
      stream: "workshop-stream",
      count: "5",
      single: false,
      json: false,
    });
  });

  it("reads WORKSHOP_TARGET, AWS_ENDPOINT_URL and AWS_REGION for localstack", () => {
    const options = parseOptions(lesson, ["--count", "9"], {
      WORKSHOP_TARGET: "localstack",
      AWS_ENDPOINT_URL: "http://emulator.test:4566/",
      AWS_REGION: "eu-west-1",
    });
    expect(options).toMatchObject({
      target: "localstack",
      endpoint: "http://emulator.test:4566",
      region: "eu-west-1",
      count: "9",
    });
  });

  it("takes an empty environment variable (export AWS_REGION=) as unset", () => {
    const empty = { WORKSHOP_TARGET: "", AWS_REGION: "", AWS_DEFAULT_REGION: "", AWS_ENDPOINT_URL: "" };
    expect(parseOptions(lesson, [], empty)).toMatchObject({ target: "local", region: "us-east-1" });
    const localstack = parseOptions(lesson, ["--target", "localstack"], empty);
    expect(localstack).toMatchObject({ endpoint: "http://localhost:4566", region: "us-east-1" });
    const aws = parseOptions(lesson, ["--target", "aws"], { AWS_REGION: "", AWS_DEFAULT_REGION: "eu-west-1" });
    expect(aws.region).toBe("eu-west-1");
  });

  it("never sets an endpoint on aws, even when AWS_ENDPOINT_URL is set", () => {
    const options = parseOptions(lesson, ["--target", "aws"], { AWS_ENDPOINT_URL: "http://localhost:4566" });
    expect(options.target).toBe("aws");
    expect(options.endpoint).toBeUndefined();
  });

  it("refuses --endpoint on aws", () => {
    expect(() => resolveTarget({ target: "aws", endpoint: "http://x" }, {})).toThrow(/--endpoint is for emulators/);
  });

  it("names the targets when given an unknown one", () => {
    expect(() => parseOptions(lesson, ["--target", "azure"], {})).toThrow(
      new WorkshopError("unknown target 'azure': use --target local, --target localstack or --target aws"),
    );
  });

  it("points to --help on an unknown flag", () => {
    expect(() => parseOptions(lesson, ["--shardz", "2"], {})).toThrow(/Unknown option '--shardz'.*--help/);
  });

  it("lists every flag in the help, the lesson's and the common ones", () => {
    const text = helpText(lesson);
    for (const flag of ["--count", "--single", "--target", "--stream", "--json", "--debug", "--help"])
      expect(text).toContain(flag);
  });
});

describe("a whole number's parse", () => {
  const { parse } = wholeNumberFlag("how many shards");
  it("accepts whole numbers in range", () => expect(parse("12", "--shards")).toBe(12));
  it.each(["0", "-1", "1.5", "two", "", " "])("refuses '%s'", (value) => {
    expect(() => parse(value, "--shards")).toThrow(/--shards must be a whole number 1 or more/);
  });
});

describe("wholeNumberFlag", () => {
  const lesson = {
    usage: "x",
    about: "x",
    flags: defineFlags({
      count: wholeNumberFlag("how many", { default: 100 }),
      index: wholeNumberFlag("which", { value: "INDEX", min: 0 }),
    }),
  };

  it("reads a whole number, names its flag when the value is bad, and shows its default in --help", () => {
    expect(parseOptions(lesson, ["--index", "0"], {})).toMatchObject({ count: 100, index: 0 });
    expect(parseOptions(lesson, [], {}).index).toBeUndefined();
    expect(() => parseOptions(lesson, ["--count", "0"], {})).toThrow(
      "--count must be a whole number 1 or more, got '0'",
    );
    expect(() => parseOptions(lesson, ["--index=-1"], {})).toThrow(
      "--index must be a whole number 0 or more, got '-1'",
    );
    expect(helpText(lesson)).toMatch(/--count N\s+how many \(default: 100\)/);
    expect(helpText(lesson)).toMatch(/--index INDEX\s+which$/m);
  });
});
