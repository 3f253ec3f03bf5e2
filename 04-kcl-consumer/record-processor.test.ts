// The record processor, driven by playing the MultiLangDaemon's side of the protocol:
// JSON messages on its stdin, JSON answers on its stdout. No Java needed.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../shared/paths.js";
import { encodeRecord } from "../shared/records.js";

const record = (index: number, data?: Uint8Array) => ({
  data: Buffer.from(data ?? encodeRecord({ runId: "run-p", index, sentAt: 1 })).toString("base64"),
  partitionKey: "k",
  sequenceNumber: String(500 + index),
});

/** Start the processor; send() writes a message, next() reads its next stdout line. */
function startProcessor(env: Record<string, string> = {}) {
  const outputFile = join(mkdtempSync(join(tmpdir(), "kcl-processor-")), "out.jsonl");
  const child = spawn(
    join(PROJECT_ROOT, "node_modules", ".bin", "tsx"),
    [join(PROJECT_ROOT, "04-kcl-consumer", "record-processor.ts")],
    {
      env: { ...process.env, KCL_OUTPUT_FILE: outputFile, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  const stdout: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    if (line.trim() === "") return; // aws-kcl writes a blank line before each message; the daemon skips them too
    stdout.push(line);
    waiting.shift()?.(line);
  });
  let consumed = 0;
  return {
    child,
    outputFile,
    stdout,
    send: (message: object) => child.stdin!.write(`${JSON.stringify(message)}\n`),
    next: () =>
      new Promise<Record<string, unknown>>((resolve) => {
        if (consumed < stdout.length) resolve(JSON.parse(stdout[consumed++]!));
        else
          waiting.push((line) => {
            consumed++;
            resolve(JSON.parse(line));
          });
      }),
  };
}

describe("the KCL record processor over the MultiLangDaemon protocol", () => {
  it("processes records, checkpoints after them, checkpoints at shard end, and writes only protocol to stdout", async () => {
    const p = startProcessor();
    p.send({ action: "initialize", shardId: "shardId-7", sequenceNumber: "TRIM_HORIZON" });
    expect(await p.next()).toEqual({ action: "status", responseFor: "initialize" });

    p.send({
      action: "processRecords",
      records: [record(0), record(1, Buffer.from("not json")), record(2)],
      millisBehindLatest: 0,
    });
    // The checkpoint comes after the batch was processed; nothing is reported before it is written...
    expect(await p.next()).toEqual({ action: "checkpoint", sequenceNumber: "502" });
    expect(existsSync(p.outputFile)).toBe(false);
    // ...and the daemon's answer lets it report the batch and finish it.
    p.send({ action: "checkpoint", sequenceNumber: "502", error: null });
    expect(await p.next()).toEqual({ action: "status", responseFor: "processRecords" });
    const written = readFileSync(p.outputFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(written.map((r) => [r.shardId, r.runId, r.index])).toEqual([
      ["shardId-7", "run-p", 0],
      ["shardId-7", "run-p", 2],
    ]);

    p.send({ action: "shardEnded" });
    expect((await p.next()).action).toBe("checkpoint");
    p.send({ action: "checkpoint", sequenceNumber: "SHARD_END", error: null });
    expect(await p.next()).toEqual({ action: "status", responseFor: "shardEnded" });

    p.child.stdin!.end();
    await new Promise((resolve) => p.child.once("exit", resolve));
    for (const line of p.stdout) expect(JSON.parse(line)).toHaveProperty("action"); // nothing but protocol
  });

  it("does not checkpoint when the lease is lost", async () => {
    const p = startProcessor();
    p.send({ action: "initialize", shardId: "shardId-1", sequenceNumber: "TRIM_HORIZON" });
    await p.next();
    p.send({ action: "leaseLost" });
    expect(await p.next()).toEqual({ action: "status", responseFor: "leaseLost" });
    p.child.kill();
  });

  it("with --crash-on, dies on that record without checkpointing", async () => {
    const p = startProcessor({ KCL_CRASH_ON: "1" });
    p.send({ action: "initialize", shardId: "shardId-1", sequenceNumber: "TRIM_HORIZON" });
    await p.next();
    p.send({ action: "processRecords", records: [record(0), record(1), record(2)] });
    const code = await new Promise((resolve) => p.child.once("exit", resolve));
    expect(code).not.toBe(0);
    expect(p.stdout.filter((l) => l.includes("checkpoint"))).toEqual([]);
  });
});
