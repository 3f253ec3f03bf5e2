// Lesson 05 against a real MiniStack of the test's own: deploy, 1,000 records, copies to a second stream, re-run, delete.
import { DescribeLogGroupsCommand, CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { GetRoleCommand, NoSuchEntityException, IAMClient } from "@aws-sdk/client-iam";
import { ListStreamsCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { ListEventSourceMappingsCommand, ListFunctionsCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import * as lesson01 from "../01-make-a-stream/main.js";
import { deleteEverything } from "../05-lambda-function/delete.js";
import * as lesson05 from "../05-lambda-function/main.js";
import type { Summary } from "../05-lambda-function/names.js";
import { clientFor } from "../shared/index.js";
import { localOptions, useTestEmulator } from "./emulator.js";

const testEmulator = useTestEmulator();
// Each run waits at most 50 s for its log lines: a run that misses some says why (the lesson's
// own message, the on-failure queue's notes) before the test's time is up.
const deploy = async (...args: string[]) =>
  (await lesson05.main(
    localOptions(lesson05.lesson, testEmulator.current, "lam", "--timeout", "50", ...args),
  )) as Summary;
beforeAll(async () => {
  await lesson01.main(localOptions(lesson01.lesson, testEmulator.current, "lam"));
});

describe("lesson 05 on the local emulator", () => {
  it("deploys, and the handler logs all 1,000 records and copies them to a second stream (--copy-to)", async () => {
    const summary = await deploy("--count", "1000", "--copy-to", "lam-copies");
    expect(summary).toMatchObject({
      produced: 1000,
      unique: 1000,
      copies: 1000,
      deployed: "created",
      copyTo: "lam-copies",
    });
    expect(summary.functionArn).toMatch(/:function:lam-handler$/);
  });

  it("runs again in place: same function and mapping, nothing created twice", async () => {
    const first = await deploy("--count", "10");
    const second = await deploy("--count", "10");
    expect(second).toMatchObject({
      deployed: "unchanged",
      unique: 10,
      mappingId: first.mappingId,
      functionArn: first.functionArn,
    });
    const where = localOptions(lesson05.lesson, testEmulator.current, "lam");
    const { EventSourceMappings = [] } = await clientFor(LambdaClient, where).send(
      new ListEventSourceMappingsCommand({ FunctionName: "lam-handler" }),
    );
    expect(EventSourceMappings).toHaveLength(1);
  }, 150_000);

  it("--delete leaves no function, mapping, role, log group, failure queue or copies stream", async () => {
    const where = localOptions(lesson05.lesson, testEmulator.current, "lam");
    const result = await deleteEverything(localOptions(lesson05.lesson, testEmulator.current, "lam"));
    expect(result.deleted).toHaveLength(6);
    expect(result.deleted).toContain("queue lam-handler-failures");

    const { Functions = [] } = await clientFor(LambdaClient, where).send(new ListFunctionsCommand({}));
    expect(Functions.map((f) => f.FunctionName)).not.toContain("lam-handler");
    const { EventSourceMappings = [] } = await clientFor(LambdaClient, where).send(
      new ListEventSourceMappingsCommand({}),
    );
    expect(EventSourceMappings).toEqual([]);
    await expect(
      clientFor(IAMClient, where).send(new GetRoleCommand({ RoleName: "lam-handler-role" })),
    ).rejects.toBeInstanceOf(NoSuchEntityException);
    const { logGroups = [] } = await clientFor(CloudWatchLogsClient, where).send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: "/aws/lambda/lam" }),
    );
    expect(logGroups).toEqual([]);
    const { StreamNames = [] } = await clientFor(KinesisClient, where).send(new ListStreamsCommand({}));
    expect(StreamNames).toEqual(["lam"]);
  });
});
