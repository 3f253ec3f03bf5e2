// Bad input, run the way a student runs a lesson: each case must end with exit code 1 and
// one line on stderr that says what went wrong and what to do, with no stack trace
// unless --debug is given.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from "@aws-sdk/client-kinesis";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as lesson01 from "../01-make-a-stream/main.js";
import * as lesson03 from "../03-basic-consumer/main.js";
import { freePort, healthOf } from "../local/emulator.js";
import { reportFailure } from "../shared/run.js";
import { printedTo } from "./capture.js";
import { runCli, type CliResult } from "./cli.js";
import { localArgs, localOptions, offlineOptions, useTestEmulator } from "./emulator.js";

const testEmulator = useTestEmulator();
const dir = mkdtempSync(join(tmpdir(), "workshop-bad-input-"));
const bigFile = join(dir, "big.bin");
const emptyWorkshopDir = join(dir, "no-install");
let unusedPort = 0;

beforeAll(async () => {
  await lesson01.main(localOptions(lesson01.lesson, testEmulator.current, "here"));
  writeFileSync(bigFile, Buffer.alloc(1024 * 1024 + 1, 1)); // one byte over the default 1 MiB record limit
  unusedPort = await freePort();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An environment in which the SDK can find no credentials at all. */
const NO_CREDENTIALS = {
  HOME: join(tmpdir(), "workshop-no-home"),
  AWS_ACCESS_KEY_ID: "",
  AWS_SECRET_ACCESS_KEY: "",
  AWS_SESSION_TOKEN: "",
  AWS_PROFILE: "",
  AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), "workshop-no-home", "credentials"),
  AWS_CONFIG_FILE: join(tmpdir(), "workshop-no-home", "config"),
  AWS_EC2_METADATA_DISABLED: "true",
};

/**
 * No emulator installed, no Python to install one, and nothing on the port: a lesson that
 * got as far as preparing the target would say so. Flag mistakes must be refused before that.
 */
const NOTHING_INSTALLED = () => ({
  WORKSHOP_DIR: emptyWorkshopDir,
  WORKSHOP_PYTHON: "/nonexistent/python3",
  WORKSHOP_LOCAL_PORT: String(unusedPort),
});

interface Case {
  name: string;
  script: string;
  args: () => string[];
  env?: () => NodeJS.ProcessEnv;
  says: RegExp;
}

const here =
  (...more: string[]) =>
  () =>
    localArgs(testEmulator.current, "here", ...more);

const CASES: Case[] = [
  {
    name: "a stream that does not exist",
    script: "03-basic-consumer/main.ts",
    args: () => localArgs(testEmulator.current, "nowhere"),
    says: /^✗ stream nowhere not found on local: run lesson 01 first \(npx tsx 01-make-a-stream\/main\.ts --stream nowhere\)$/,
  },
  {
    name: "lesson 02 before lesson 01",
    script: "02-produce-data/main.ts",
    args: () => localArgs(testEmulator.current, "not-made-yet", "--count", "5"),
    says: /^✗ stream not-made-yet not found on local: run lesson 01 first/,
  },
  {
    name: "--shards 0 (refused before the target starts)",
    script: "01-make-a-stream/main.ts",
    args: () => ["--shards", "0"],
    env: NOTHING_INSTALLED,
    says: /^✗ --shards must be a whole number 1 or more, got '0'$/,
  },
  {
    name: "--shards that is not a number (refused before the target starts)",
    script: "01-make-a-stream/main.ts",
    args: () => ["--shards", "two"],
    env: NOTHING_INSTALLED,
    says: /^✗ --shards must be a whole number 1 or more, got 'two'$/,
  },
  {
    name: "a file over the 1 MiB record limit",
    script: "02-produce-data/main.ts",
    args: () => here("--file", bigFile)(),
    says: /^✗ --file .*big\.bin is 1,048,\d{3} bytes with its key, over this stream's 1,048,576-byte record limit: split it, or store it in S3/,
  },
  {
    name: "a file that cannot be read",
    script: "02-produce-data/main.ts",
    args: here("--file", "/nonexistent/readings.csv"),
    says: /^✗ cannot read --file \/nonexistent\/readings\.csv: ENOENT$/,
  },
  {
    name: "an unknown --from (refused before the target starts)",
    script: "03-basic-consumer/main.ts",
    args: () => ["--from", "yesterday"],
    env: NOTHING_INSTALLED,
    says: /^✗ unknown --from 'yesterday': use trim-horizon, latest, at-sequence:SEQ, after-sequence:SEQ or at-timestamp:ISO$/,
  },
  {
    name: "a sequence number that is not one (refused before the target starts)",
    script: "03-basic-consumer/main.ts",
    args: () => ["--from", "at-sequence:abc"],
    env: NOTHING_INSTALLED,
    says: /^✗ 'abc' is not a sequence number \(digits only/,
  },
  {
    name: "an endpoint nothing answers on",
    script: "01-make-a-stream/main.ts",
    args: () => ["--target", "localstack", "--endpoint", `http://127.0.0.1:${unusedPort}`],
    says: /^✗ cannot reach http:\/\/127\.0\.0\.1:\d+ on localstack: start LocalStack \(or a compatible emulator\) there, or point AWS_ENDPOINT_URL at it$/,
  },
  {
    name: "no credentials on aws",
    script: "01-make-a-stream/main.ts",
    args: () => ["--target", "aws", "--region", "us-east-1"],
    env: () => NO_CREDENTIALS,
    says: /^✗ no AWS credentials found for --target aws: run 'aws configure' or set AWS_PROFILE, or use --target local, which needs none$/,
  },
  {
    name: "an unknown target",
    script: "01-make-a-stream/main.ts",
    args: () => ["--target", "mars"],
    says: /^✗ unknown target 'mars': use --target local, --target localstack or --target aws$/,
  },
  {
    name: "a misspelt flag (refused before the target starts)",
    script: "01-make-a-stream/main.ts",
    args: () => ["--shard", "2"],
    env: NOTHING_INSTALLED,
    says: /^✗ Unknown option '--shard'.* — run 'npx tsx 01-make-a-stream\/main\.ts --help' for the flags$/,
  },
  {
    name: "no Java for lesson 04",
    script: "04-kcl-consumer/main.ts",
    args: here("--expect", "1"),
    env: () => ({ JAVA_HOME: "/nonexistent-jdk" }),
    says: /^✗ lesson 04 needs Java to run the KCL daemon and found none \('\/nonexistent-jdk\/bin\/java'\): install a JDK 11 or newer/,
  },
  {
    name: "no Python for the local emulator",
    script: "01-make-a-stream/main.ts",
    // A workshop folder with nothing installed, so the emulator must be installed first, and no Python to do it.
    args: () => [],
    env: NOTHING_INSTALLED,
    says: /^✗ the local emulator needs Python 3\.10 or newer \(none found as '\/nonexistent\/python3'\): install Python 3\.10 or newer/,
  },
  {
    name: "no function when reading lesson 05's logs",
    script: "05-lambda-function/main.ts",
    args: here("--logs"),
    says: /^✗ function here-handler not found on local: run lesson 05 first \(npx tsx 05-lambda-function\/main\.ts --stream here\)$/,
  },
];

function expectOneLineFailure(result: CliResult, says: RegExp): void {
  expect(result.code).toBe(1);
  const errorLines = result.stderr.trim().split("\n");
  expect(errorLines, result.stderr).toHaveLength(1);
  expect(errorLines[0]).toMatch(says);
  expect(result.stdout + result.stderr).not.toMatch(/^\s+at /m); // no stack trace
}

describe("bad input: one actionable line, exit code 1, no stack trace", () => {
  it.each(CASES)("$name", async ({ script, args, env, says }) => {
    expectOneLineFailure(await runCli(script, args(), env?.()), says);
  });

  it("--help, even beside a misspelt flag: the usage and every flag, exit code 0, nothing started", async () => {
    const result = await runCli("02-produce-data/main.ts", ["--shard", "2", "--help"], NOTHING_INSTALLED());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npx tsx 02-produce-data\/main\.ts \[flags\]\n/);
    for (const flag of ["--count", "--rate", "--target", "--endpoint", "--help"]) expect(result.stdout).toContain(flag);
    expect(result.stderr).toBe("");
  });

  it("no Python: nothing was started on the port", async () => {
    expect(await healthOf(unusedPort)).toBeUndefined();
  });

  it("an iterator that keeps expiring (simulated): one line after three renewals", async () => {
    const kinesis = mockClient(KinesisClient);
    try {
      kinesis.on(ListShardsCommand).resolves({
        Shards: [{ ShardId: "shardId-000000000000", HashKeyRange: undefined, SequenceNumberRange: undefined }],
      });
      kinesis.on(GetShardIteratorCommand).resolves({ ShardIterator: "iterator" });
      kinesis
        .on(GetRecordsCommand)
        .rejects(new ExpiredIteratorException({ message: "Iterator expired", $metadata: {} }));
      const failure = await lesson03.main(offlineOptions(lesson03.lesson)).catch((error: unknown) => error);
      expect(kinesis.commandCalls(GetShardIteratorCommand)).toHaveLength(4); // the first, then three renewals

      const exitCode = process.exitCode;
      try {
        const written = await printedTo("stderr", () => reportFailure(failure, { target: "local", stream: "s" }));
        expect(written).toMatch(
          /^✗ the shard iterator kept expiring .*: run the lesson again, it asks for fresh iterators\n$/,
        );
        expect(process.exitCode).toBe(1);
      } finally {
        process.exitCode = exitCode;
      }
    } finally {
      kinesis.restore();
    }
  });

  it("--debug adds the stack trace", async () => {
    const result = await runCli("01-make-a-stream/main.ts", here("--shards", "0", "--debug")());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^✗ --shards must be a whole number/);
    expect(result.stderr).toMatch(/^\s+at /m);
  });
});
