// The local target's event source mappings for Kinesis streams, put together: the store
// (esm-store.ts), the Lambda API calls (esm-api.ts) and the pollers (esm-poller.ts). The
// endpoint routes the mapping calls here and starts the pollers with itself.
import { Agent } from "node:http";
import { DescribeStreamSummaryCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { GetFunctionConfigurationCommand, LambdaClient, ListEventSourceMappingsCommand } from "@aws-sdk/client-lambda";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { answerMappingCall } from "./esm-api.js";
import { MappingPollers, type PollerClients } from "./esm-poller.js";
import { MappingStore } from "./esm-store.js";
import type { Reply } from "./replies.js";

/** MiniStack reads the account from the access key: a 12-digit key names it, any other is 000000000000. */
const DEFAULT_ACCOUNT = "000000000000";
const keyFor = (account: string) => (account === DEFAULT_ACCOUNT ? "test" : account);

export class LocalMappings {
  private readonly store: MappingStore;
  private readonly pollers: MappingPollers;
  private readonly clients = new Map<string, PollerClients>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(
    private readonly endpointPort: number,
    private readonly backendPort: number,
    stateFile: string | undefined,
    log: (line: string) => void = (line) => console.error(line),
  ) {
    this.store = new MappingStore(stateFile);
    this.pollers = new MappingPollers(this.store, (account, region) => this.clientsFor(account, region), log);
  }

  start(): void {
    this.pollers.startAll();
  }

  stats() {
    return this.pollers.stats();
  }

  close(): void {
    this.pollers.close();
    for (const c of this.clients.values()) for (const client of Object.values(c)) client.destroy();
    this.agent.destroy();
  }

  /** Answer a mapping call signed by `accessKey` for `region`, or "forward" it to MiniStack. */
  answer(
    method: string,
    path: string,
    body: Buffer,
    accessKey = "test",
    region = "us-east-1",
  ): Promise<Reply | "forward"> {
    const account = /^\d{12}$/.test(accessKey) ? accessKey : DEFAULT_ACCOUNT;
    const caller = this.clientsFor(account, region);
    return answerMappingCall(method, path, body, {
      store: this.store,
      functionArn: async (FunctionName) => {
        try {
          return (await caller.lambda.send(new GetFunctionConfigurationCommand({ FunctionName }))).FunctionArn;
        } catch {
          return undefined;
        }
      },
      streamExists: async (arn) => {
        const [, , , streamRegion = region, streamAccount = account, resource = ""] = arn.split(":");
        const { kinesis } = this.clientsFor(streamAccount, streamRegion);
        const StreamName = resource.replace(/^stream\//, "");
        return kinesis.send(new DescribeStreamSummaryCommand({ StreamName })).then(
          () => true,
          () => false,
        );
      },
      otherMappings: async (query) => {
        const params = new URLSearchParams(query.replace(/^\?/, ""));
        const { EventSourceMappings = [] } = await caller.lambda.send(
          new ListEventSourceMappingsCommand({
            FunctionName: params.get("FunctionName") ?? undefined,
            EventSourceArn: params.get("EventSourceArn") ?? undefined,
          }),
        );
        return EventSourceMappings;
      },
      changed: (uuid) => this.pollers.changed(uuid),
    });
  }

  /** Clients for one account and region: Kinesis through the endpoint (metered), the rest straight to MiniStack. */
  private clientsFor(account: string, region: string): PollerClients {
    const key = `${account}/${region}`;
    let made = this.clients.get(key);
    if (!made) {
      const config = (port: number) => ({
        region,
        endpoint: `http://127.0.0.1:${port}`,
        credentials: { accessKeyId: keyFor(account), secretAccessKey: "test" },
        requestHandler: new NodeHttpHandler({ httpAgent: this.agent }),
        maxAttempts: 1,
      });
      made = {
        kinesis: new KinesisClient(config(this.endpointPort)),
        lambda: new LambdaClient(config(this.backendPort)),
        sqs: new SQSClient(config(this.backendPort)),
        sns: new SNSClient(config(this.backendPort)),
      };
      this.clients.set(key, made);
    }
    return made;
  }
}
