// The Lambda API's mapping calls on the local target, with a store in memory and fake lookups.
import { describe, expect, it } from "vitest";
import { answerMappingCall, type MappingApiDeps } from "./esm-api.js";
import { MappingStore } from "./esm-store.js";
import type { Reply } from "./replies.js";

const STREAM = "arn:aws:kinesis:us-east-1:000000000000:stream/s";
const FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:f";
const deps = (store = new MappingStore(undefined)): MappingApiDeps & { changes: string[] } => {
  const changes: string[] = [];
  return {
    store,
    changes,
    functionArn: async (name) => (name === "f" || name === FUNCTION ? FUNCTION : undefined),
    streamExists: async (arn) => arn === STREAM,
    otherMappings: async () => [{ UUID: "ministack-sqs-mapping" }],
    changed: (uuid) => void changes.push(uuid),
  };
};
const call = async (d: MappingApiDeps, method: string, path: string, body?: object | string) => {
  const raw =
    body === undefined ? Buffer.alloc(0) : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  const reply = await answerMappingCall(method, path, raw, d);
  if (reply === "forward") return { status: 0, type: "forward", body: {} as Record<string, unknown> };
  const r = reply as Reply;
  return { status: r.status, type: String(r.headers["x-amzn-errortype"] ?? ""), body: JSON.parse(String(r.body)) };
};
const create = (more: object = {}) => ({
  FunctionName: "f",
  EventSourceArn: STREAM,
  StartingPosition: "LATEST",
  ...more,
});
const PATH = "/2015-03-31/event-source-mappings/";

describe("the event source mapping calls for a Kinesis stream", () => {
  it("creates a mapping with Lambda's defaults, and starts its poller", async () => {
    const d = deps();
    const made = await call(d, "POST", PATH, create());
    expect(made.status).toBe(202);
    expect(made.body).toMatchObject({
      State: "Creating",
      BatchSize: 100,
      MaximumRetryAttempts: -1,
      MaximumRecordAgeInSeconds: -1,
      BisectBatchOnFunctionError: false,
      ParallelizationFactor: 1,
      FunctionArn: FUNCTION,
      EventSourceMappingArn: expect.stringMatching(/:event-source-mapping:/),
    });
    expect(made.body).not.toHaveProperty("checkpoints");
    expect(d.changes).toEqual([made.body.UUID]);
  });

  it("refuses what Lambda refuses, with Lambda's error types", async () => {
    const d = deps();
    expect((await call(d, "POST", PATH, create({ BatchSize: 0 }))).type).toBe("InvalidParameterValueException");
    expect((await call(d, "POST", PATH, create({ ParallelizationFactor: 11 }))).type).toBe(
      "InvalidParameterValueException",
    );
    expect((await call(d, "POST", PATH, create({ MaximumRecordAgeInSeconds: 30 }))).type).toBe(
      "InvalidParameterValueException",
    );
    expect((await call(d, "POST", PATH, create({ StartingPosition: "SOMEWHERE" }))).type).toBe(
      "InvalidParameterValueException",
    );
    expect((await call(d, "POST", PATH, create({ FunctionName: "nope" }))).status).toBe(404);
    expect((await call(d, "POST", PATH, "{not json")).type).toBe("InvalidRequestContentException");
    await call(d, "POST", PATH, create());
    expect((await call(d, "POST", PATH, create())).type).toBe("ResourceConflictException"); // one per function and stream
  });

  it("updates, disables, lists (its own, then MiniStack's) and deletes", async () => {
    const d = deps();
    const { UUID } = (await call(d, "POST", PATH, create())).body as { UUID: string };
    const updated = await call(d, "PUT", `${PATH}${UUID}`, { Enabled: false, BatchSize: 10 });
    expect(updated.body).toMatchObject({ State: "Disabling", BatchSize: 10 });
    expect((await call(d, "GET", `${PATH}${UUID}`)).body).toMatchObject({ UUID, BatchSize: 10 });
    const all = await call(d, "GET", `${PATH}?FunctionName=f`);
    expect((all.body.EventSourceMappings as { UUID: string }[]).map((m) => m.UUID)).toEqual([
      UUID,
      "ministack-sqs-mapping",
    ]);
    expect((await call(d, "DELETE", `${PATH}${UUID}`)).body).toMatchObject({ State: "Deleting" });
    expect(d.store.get(UUID)).toBeUndefined();
  });

  it("passes on what is MiniStack's: another source, or a UUID that is not ours", async () => {
    const d = deps();
    const sqs = { FunctionName: "f", EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:q" };
    expect((await call(d, "POST", PATH, sqs)).type).toBe("forward");
    expect((await call(d, "GET", `${PATH}someone-elses-uuid`)).type).toBe("forward");
  });
});
