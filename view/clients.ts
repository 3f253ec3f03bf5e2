// The live view's clients: one per service, each able to read and nothing else.
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { clientFor } from "../shared/clients.js";
import type { TargetOptions } from "../shared/targets.js";
import { assertReadOnly } from "./snapshot.js";

export interface ViewClients {
  kinesis: KinesisClient;
  dynamodb: DynamoDBClient;
  lambda: LambdaClient;
  logs: CloudWatchLogsClient;
  cloudwatch: CloudWatchClient;
}

/**
 * The view's clients, each with a guard in front of every call: a command that is not a
 * Describe/List/Get/Scan/Filter read, or that reads records (GetRecords), never leaves.
 */
export function viewClients(options: TargetOptions): ViewClients {
  const clients = {
    kinesis: clientFor(KinesisClient, options),
    dynamodb: clientFor(DynamoDBClient, options),
    lambda: clientFor(LambdaClient, options),
    logs: clientFor(CloudWatchLogsClient, options),
    cloudwatch: clientFor(CloudWatchClient, options), // only the view reads CloudWatch (iterator ages on AWS)
  };
  for (const client of Object.values(clients)) {
    client.middlewareStack.add(
      (next, context) => (args) => {
        assertReadOnly(String(context.commandName));
        return next(args);
      },
      { step: "initialize", name: "readOnlyGuard" },
    );
  }
  return clients;
}
