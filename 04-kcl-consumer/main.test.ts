import { describe, expect, it } from "vitest";
import { kclProperties } from "../shared/kcl.js";

describe("the daemon's properties", () => {
  it("spell every key the way the KCL reads it (keys are case-sensitive; unknown ones are ignored)", () => {
    const text = kclProperties({
      applicationName: "app",
      workerId: "worker-1",
      streamName: "s",
      region: "us-east-1",
      endpoint: "http://127.0.0.1:4599",
      executableName: "tsx processor.ts",
      idleTimeBetweenReadsInMillis: 250,
    });
    const keys = Object.fromEntries(text.trim().split("\n").map((l) => l.split(" = ") as [string, string]));
    expect(keys).toMatchObject({
      retrievalMode: "POLLING",
      metricsLevel: "NONE",
      initialPositionInStream: "TRIM_HORIZON",
      idleTimeBetweenReadsInMillis: "250",
      kinesisEndpoint: "http://127.0.0.1:4599",
      dynamoDBEndpoint: "http://127.0.0.1:4599",
      AWSCredentialsProvider: "DefaultCredentialsProvider",
      applicationName: "app",
      workerId: "worker-1",
    });
  });

  it("name no endpoint on aws", () => {
    const text = kclProperties({ applicationName: "a", workerId: "w", streamName: "s", region: "eu-west-1", endpoint: undefined, executableName: "x", idleTimeBetweenReadsInMillis: 250 });
    expect(text).not.toMatch(/Endpoint/);
  });
});
