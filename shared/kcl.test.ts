import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { daemonTrouble, followJsonLines } from "./kcl.js";

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
    expect(daemonTrouble(http1Only)).toMatchObject({ cause: "the endpoint does not speak HTTP/2, which the KCL's Java SDK uses for Kinesis", seen: 3 });
    expect(daemonTrouble(http1Only.split("\n").slice(0, 2).join("\n"))).toBeUndefined(); // once is not yet "keeps failing"
  });

  it("finds the first cause of a processor that cannot start, not the last stack frames", () => {
    expect(daemonTrouble(spaceInPath, 1)).toMatchObject({
      cause: "the daemon cannot start the record processor '/home/jane/with' (error 2)",
    });
  });

  it("finds nothing in a healthy log", () => {
    expect(daemonTrouble("2026-11-26 INFO s.a.k.coordinator.Scheduler - Initialization complete\n", 1)).toBeUndefined();
  });
});
