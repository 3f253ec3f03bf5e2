// Security: secrets never printed, the emulator never reachable from other machines,
// and the Lambda function's role limited to its own stream(s) and log group.
import { existsSync, readFileSync } from "node:fs";
import { GetRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import * as lesson01 from "../01-make-a-stream/main.js";
import * as lesson05 from "../05-lambda-function/main.js";
import { resourceNames } from "../05-lambda-function/names.js";
import { clientFor } from "../shared/index.js";
import { freePort } from "../local/emulator.js";
import { runCli } from "./cli.js";
import { localArgs, localOptions, useTestEmulator } from "./emulator.js";

const testEmulator = useTestEmulator();

// Made-up keys in the shape of real ones; the secret is what must never be printed.
const ACCESS_KEY = "AKIAWORKSHOPTEST0001";
const SECRET = "wJalrXUtnFEMI/K7MDENG/workshopTESTsecret01";
const withKeys = { AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_EC2_METADATA_DISABLED: "true" };

describe("the secret access key is never printed", () => {
  const runs: [string, string, () => Promise<string[]>][] = [
    ["local: lessons 01, 02, 03 with --debug", "01-03", async () => localArgs(testEmulator.current, "sec", "--debug")],
    [
      "localstack: keys passed through to the emulator, with --debug",
      "01-03",
      async () => [
        "--target",
        "localstack",
        "--endpoint",
        testEmulator.current.endpoint,
        "--stream",
        "sec-ls",
        "--debug",
      ],
    ],
    [
      "localstack: an error (stream missing), with --debug",
      "03",
      async () => [
        "--target",
        "localstack",
        "--endpoint",
        testEmulator.current.endpoint,
        "--stream",
        "missing",
        "--debug",
      ],
    ],
    [
      "localstack: an unreachable endpoint, with --debug",
      "01",
      async () => ["--target", "localstack", "--endpoint", `http://127.0.0.1:${await freePort()}`, "--debug"],
    ],
    [
      "aws: the keys are refused or AWS cannot be reached, with --debug",
      "01",
      async () => ["--target", "aws", "--region", "us-east-1", "--yes", "--debug"],
    ],
  ];
  const scripts: Record<string, string[]> = {
    "01-03": ["01-make-a-stream/main.ts", "02-produce-data/main.ts", "03-basic-consumer/main.ts"],
    "01": ["01-make-a-stream/main.ts"],
    "03": ["03-basic-consumer/main.ts"],
  };

  it.each(runs)("%s", async (_, which, args) => {
    const argv = await args();
    for (const script of scripts[which]!) {
      const result = await runCli(script, argv, withKeys);
      const printed = result.stdout + result.stderr;
      expect(printed.length).toBeGreaterThan(0);
      expect(printed).not.toContain(SECRET);
      expect(printed).not.toContain(SECRET.slice(0, 16)); // nor a telling part of it
    }
  });

  it("npm run doctor on aws does not print it either", async () => {
    const result = await runCli("scripts/doctor.ts", ["--target", "aws", "--region", "us-east-1"], withKeys);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });
});

describe("the local emulator", () => {
  it("listens on 127.0.0.1 only", () => {
    // /proc/net/tcp{,6} list every socket: local address (hex ip:port) and state (0A = LISTEN).
    const portHex = testEmulator.current.port.toString(16).toUpperCase().padStart(4, "0");
    const listeners = ["/proc/net/tcp", "/proc/net/tcp6"]
      .flatMap((file) => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").slice(1) : []))
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols[1]?.endsWith(`:${portHex}`) && cols[3] === "0A")
      .map((cols) => cols[1]!.split(":")[0]);
    expect(listeners).toEqual(["0100007F"]); // 127.0.0.1, little-endian; no 0.0.0.0, no IPv6
  });
});

describe("the Lambda function's role, as deployed", () => {
  it("names only the lesson's stream, its copies stream and its own log group: nothing on *", async () => {
    const made = await lesson01.main(localOptions(lesson01.lesson, testEmulator.current, "least"));
    await lesson05.main(
      localOptions(lesson05.lesson, testEmulator.current, "least", "--count", "1", "--copy-to", "least-copies"),
    );
    const names = resourceNames("least");
    const { PolicyDocument } = await clientFor(
      IAMClient,
      localOptions(lesson05.lesson, testEmulator.current, "least"),
    ).send(new GetRolePolicyCommand({ RoleName: names.roleName, PolicyName: names.policyName }));
    const policy = JSON.parse(decodeURIComponent(PolicyDocument!));
    const resources = policy.Statement.flatMap((s: { Resource: string | string[] }) => [s.Resource].flat()).sort();
    const [, , , region, account] = made.streamArn!.split(":");
    expect(resources).toEqual(
      [
        `arn:aws:kinesis:${region}:${account}:stream/least`,
        `arn:aws:kinesis:${region}:${account}:stream/least-copies`,
        `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/least-handler:*`,
        `arn:aws:sqs:${region}:${account}:least-handler-failures`, // the on-failure queue
      ].sort(),
    );
    for (const statement of policy.Statement) {
      expect(statement.Effect).toBe("Allow");
      for (const action of [statement.Action].flat()) expect(action).toMatch(/^(kinesis|logs|sqs):[A-Z][A-Za-z]+$/); // no wildcards
    }
  }, 180_000);
});
