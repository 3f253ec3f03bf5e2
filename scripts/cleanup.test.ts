// npm run cleanup on aws, with mocked clients: it lists first, asks, and deletes only after a yes.
import { PassThrough } from "node:stream";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException as TableNotFound,
} from "@aws-sdk/client-dynamodb";
import { IAMClient, ListRoleTagsCommand, ListRolesCommand } from "@aws-sdk/client-iam";
import {
  DeleteStreamCommand,
  DescribeStreamCommand,
  KinesisClient,
  ListStreamsCommand,
  ListTagsForStreamCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-kinesis";
import { LambdaClient, ListEventSourceMappingsCommand, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { parseOptions } from "../shared/options.js";
import type { Prompt } from "../shared/output.js";
import { cleanup, findWorkshopResources, runCleanup } from "./cleanup.js";

const kinesis = mockClient(KinesisClient);
const lambda = mockClient(LambdaClient);
const iam = mockClient(IAMClient);
const logs = mockClient(CloudWatchLogsClient);
const dynamodb = mockClient(DynamoDBClient);
const sqs = mockClient(SQSClient);
const ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/";

beforeEach(() => {
  for (const client of [kinesis, lambda, iam, logs, dynamodb, sqs]) client.reset();
  sqs.on(ListQueuesCommand).resolves({ QueueUrls: [] });
  kinesis.on(ListStreamsCommand).resolves({
    StreamNames: ["workshop-stream", "tagged-elsewhere", "not-ours"],
    HasMoreStreams: false,
    StreamSummaries: ["workshop-stream", "tagged-elsewhere", "not-ours"].map((name) => ({
      StreamName: name,
      StreamARN: `${ARN}${name}`,
      StreamStatus: "ACTIVE",
      StreamCreationTimestamp: new Date(),
    })),
  });
  kinesis
    .on(ListTagsForStreamCommand, { StreamName: "tagged-elsewhere" })
    .resolves({ Tags: [{ Key: "workshop", Value: "kinesis-lambda" }], HasMoreTags: false });
  kinesis
    .on(ListTagsForStreamCommand, { StreamName: "not-ours" })
    .resolves({ Tags: [{ Key: "team", Value: "payments" }], HasMoreTags: false });
  kinesis.on(DeleteStreamCommand).resolves({});
  kinesis
    .on(DescribeStreamCommand)
    .rejects(new ResourceNotFoundException({ message: "Stream not found", $metadata: {} }));
  lambda
    .on(ListFunctionsCommand)
    .resolves({ Functions: [] })
    .on(ListEventSourceMappingsCommand)
    .resolves({ EventSourceMappings: [] });
  iam.on(ListRolesCommand).resolves({ Roles: [], IsTruncated: false });
  logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
  dynamodb.on(ListTablesCommand).resolves({ TableNames: ["workshop-kcl-aws-workshop-stream", "orders"] });
  dynamodb.on(DeleteTableCommand).resolves({});
  dynamodb.on(DescribeTableCommand).rejects(new TableNotFound({ message: "Table not found", $metadata: {} }));
});

const onAws = (...more: string[]) => parseOptions(cleanup, ["--target", "aws", "--region", "eu-west-1", ...more], {});
function answering(answer?: string, interactive = true): Prompt {
  const input = new PassThrough();
  if (answer !== undefined) setTimeout(() => input.write(`${answer}\n`), 10);
  return { input, output: new PassThrough(), interactive };
}

describe("npm run cleanup on aws", () => {
  it("finds what is tagged or named after the stream, and the KCL tables, and nothing else", async () => {
    const result = await runCleanup(onAws("--dry-run"), answering());
    expect(result).toEqual({ found: 3, deleted: [] });
    expect(kinesis.commandCalls(DeleteStreamCommand)).toHaveLength(0);
  });

  it("finds what a conformance run killed midway left: its tagged role and its function's log group", async () => {
    iam.on(ListRolesCommand).resolves({
      Roles: ["conformance-logs-role-ab12cd", "conformance-someone-else", "app-role"].map((RoleName) => ({
        RoleName,
        Path: "/",
        RoleId: RoleName,
        Arn: `arn:aws:iam::123456789012:role/${RoleName}`,
        CreateDate: new Date(),
      })),
      IsTruncated: false,
    });
    iam
      .on(ListRoleTagsCommand, { RoleName: "conformance-logs-role-ab12cd" })
      .resolves({ Tags: [{ Key: "workshop", Value: "kinesis-lambda" }] })
      .on(ListRoleTagsCommand, { RoleName: "conformance-someone-else" })
      .resolves({ Tags: [] });
    logs.on(DescribeLogGroupsCommand).resolves({
      logGroups: [{ logGroupName: "/aws/lambda/conformance-logs-ab12cd" }, { logGroupName: "/aws/lambda/billing" }],
    });
    const found = await findWorkshopResources(onAws());
    expect(found.filter((f) => f.kind === "role" || f.kind === "log group")).toEqual([
      { kind: "role", name: "conformance-logs-role-ab12cd" },
      { kind: "log group", name: "/aws/lambda/conformance-logs-ab12cd" },
    ]);
  });

  it("deletes nothing when the answer is no", async () => {
    await expect(runCleanup(onAws(), answering("n"))).rejects.toThrow("stopped: nothing was deleted");
    expect(kinesis.commandCalls(DeleteStreamCommand)).toHaveLength(0);
  });

  it("deletes nothing without a terminal to ask in, and says to pass --yes", async () => {
    await expect(runCleanup(onAws(), answering(undefined, false))).rejects.toThrow(/run again with --yes/);
    expect(kinesis.commandCalls(DeleteStreamCommand)).toHaveLength(0);
  });

  it("deletes after a yes, or at once with --yes", async () => {
    for (const [options, prompt] of [
      [onAws(), answering("y")],
      [onAws("--yes"), answering(undefined, false)],
    ] as const) {
      kinesis.resetHistory();
      dynamodb.resetHistory();
      const result = await runCleanup(options, prompt);
      expect(result.deleted.map((d) => `${d.kind} ${d.name}`)).toEqual([
        "stream workshop-stream",
        "stream tagged-elsewhere",
        "KCL table workshop-kcl-aws-workshop-stream",
      ]);
      expect(kinesis.commandCalls(DeleteStreamCommand).map((c) => c.args[0].input.StreamName)).toEqual([
        "workshop-stream",
        "tagged-elsewhere",
      ]);
      expect(dynamodb.commandCalls(DeleteTableCommand).map((c) => c.args[0].input.TableName)).toEqual([
        "workshop-kcl-aws-workshop-stream",
      ]);
    }
  });
});
