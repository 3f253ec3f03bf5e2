import { readFileSync } from "node:fs";
import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Platform } from "../shared/processes.js";
import { daemonTrouble, followJsonLines, kclProperties, nodeCommandLine } from "./kcl-daemon.js";

describe("followJsonLines", () => {
  it("returns each complete line once, and keeps a half-written line for the next call", () => {
    const file = join(mkdtempSync(join(tmpdir(), "follow-")), "reports.jsonl");
    writeFileSync(file, "");
    const next = followJsonLines<{ i: number }>(file);
    expect(next()).toEqual([]);
    appendFileSync(file, '{"i":1}\n{"i":2}\n{"i":');
    expect(next()).toEqual([{ i: 1 }, { i: 2 }]);
    expect(next()).toEqual([]);
    appendFileSync(file, '3}\n{"i":4}\n');
    expect(next()).toEqual([{ i: 3 }, { i: 4 }]);
  });
});

describe("daemonTrouble", () => {
  // Lines as the MultiLangDaemon logs them (KCL 2.7.2), trimmed of their stack frames.
  const http1Only = [
    "io.netty.handler.codec.http2.Http2Exception: First received frame was not SETTINGS. Hex dump for first 5 bytes: 485454502f",
    "java.lang.RuntimeException: software.amazon.awssdk.core.exception.SdkClientException: Unable to execute HTTP request: First received frame was not SETTINGS. Hex dump for first 5 bytes: 485454502f (SDK Attempt Count: 1)",
    "Caused by: software.amazon.awssdk.core.exception.SdkClientException: Unable to execute HTTP request: First received frame was not SETTINGS. Hex dump for first 5 bytes: 485454502f (SDK Attempt Count: 1)",
  ].join("\n\tat io.netty.Foo.bar(Foo.java:1)\n");
  const spaceInPath = [
    "2026-11-26 10:00:01,000 [multi-lang-daemon-0000] ERROR s.a.k.multilang.MultiLangShardRecordProcessor [NONE] - Encountered an error while trying to initialize",
    'java.util.concurrent.ExecutionException: java.io.IOException: Cannot run program "/home/jane/with": error=2, No such file or directory',
    "\tat java.base/java.util.concurrent.CompletableFuture.get(CompletableFuture.java:2096)",
    "\tat java.base/java.lang.Thread.run(Thread.java:840)",
  ].join("\n");

  it("names an endpoint that speaks only HTTP/1.1 once the daemon has said so three times", () => {
    expect(daemonTrouble(http1Only)).toMatchObject({
      cause: "the endpoint does not speak HTTP/2, which the KCL's Java SDK uses for Kinesis",
      seen: 3,
    });
    expect(daemonTrouble(http1Only.split("\n").slice(0, 2).join("\n"))).toBeUndefined(); // once is not yet "keeps failing"
  });

  it("finds the first cause of a processor that cannot start, not the last stack frames", () => {
    expect(daemonTrouble(spaceInPath, 1)).toMatchObject({
      cause: "the daemon cannot start the record processor '/home/jane/with' (error 2)",
    });
  });

  it("names what a record processor that failed wrote, not the daemon's shutdown stack", () => {
    const log = [
      "2026-11-26 10:02:49,902 [multi-lang-daemon-0001] ERROR s.a.k.multilang.DrainChildSTDERRTask [NONE] - Received error line from subprocess [[processor 1] initialize: leased shardId-000000000000, resuming after TRIM_HORIZON] for shard shardId-000000000000 ",
      "2026-11-26 10:02:49,902 [multi-lang-daemon-0001] ERROR s.a.k.multilang.DrainChildSTDERRTask [NONE] - Received error line from subprocess [Error: crashing on record #10 (--crash-on)] for shard shardId-000000000000 ",
      "2026-11-26 10:02:49,924 [Thread-1] ERROR s.a.k.multilang.MultiLangDaemon [NONE] - Encountered an error during shutdown. ",
      "java.util.concurrent.TimeoutException: null",
    ].join("\n");
    expect(daemonTrouble(log, 1)?.cause).toBe(
      'a record processor failed with "Error: crashing on record #10 (--crash-on)"',
    );
  });

  it("finds nothing in a healthy log", () => {
    expect(daemonTrouble("2026-11-26 INFO s.a.k.coordinator.Scheduler - Initialization complete\n", 1)).toBeUndefined();
  });
});

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
    const keys = Object.fromEntries(
      text
        .trim()
        .split("\n")
        .map((l) => l.split(" = ") as [string, string]),
    );
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
      clientVersionConfig: "CLIENT_VERSION_CONFIG_3X",
      leaseAssignmentIntervalMillis: "2000",
    });
    // sample.properties explains each key the lesson writes, spelled the same way.
    const sample = readFileSync(new URL("./sample.properties", import.meta.url), "utf8");
    for (const key of Object.keys(keys)) expect(sample).toMatch(new RegExp(`^${key} = `, "m"));
  });

  it("name no endpoint on aws", () => {
    const text = kclProperties({
      applicationName: "a",
      workerId: "w",
      streamName: "s",
      region: "eu-west-1",
      endpoint: undefined,
      executableName: "x",
      idleTimeBetweenReadsInMillis: 250,
    });
    expect(text).not.toMatch(/Endpoint/);
  });
});

const PLATFORMS: Platform[] = ["linux", "darwin", "win32"];

describe.each(PLATFORMS)("on %s", (platform) => {
  const windows = platform === "win32";

  it("the KCL's processor command line holds no absolute path, so no space in any path can split it", () => {
    const line = nodeCommandLine(["04-kcl-consumer", "record-processor.ts"], platform);
    expect(line).toBe(
      windows
        ? "node --import tsx 04-kcl-consumer\\record-processor.ts"
        : "node --import tsx 04-kcl-consumer/record-processor.ts",
    );
    expect(line.split(" ")).toHaveLength(4); // what the daemon's split gives: node, --import, tsx, the script
    expect(() => nodeCommandLine(["my lessons", "x.ts"], platform)).toThrow(/must not contain spaces/);
  });
});
