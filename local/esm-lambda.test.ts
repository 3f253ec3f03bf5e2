// One invocation by the local event source mapping, against a mocked Lambda: its reply, and
// the function's timeout, past which Lambda stops waiting.
import {
  GetFunctionConfigurationCommand,
  InvokeCommand,
  type InvokeCommandOutput,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { partial } from "../test/partial.js";
import { functionTimeout, invoke } from "./esm-lambda.js";
import type { Mapping } from "./esm-store.js";

const lambda = mockClient(LambdaClient);
const client = new LambdaClient({ region: "us-east-1" });
const m = partial<Mapping>({ FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:f" });
afterEach(() => lambda.reset());
// The SDK wraps a payload's bytes in a blob adapter; invoke() reads only the bytes.
const payload = (json: string) => Buffer.from(json) as unknown as InvokeCommandOutput["Payload"];

describe("invoke", () => {
  it("passes the function's reply on, and its error as a failed invocation", async () => {
    lambda.on(InvokeCommand).resolves({ Payload: payload('{"batchItemFailures":[]}') });
    expect(await invoke(client, m, {})).toEqual({ ok: true, response: { batchItemFailures: [] } });
    lambda.on(InvokeCommand).resolves({ FunctionError: "Unhandled", Payload: payload('{"errorType":"Error"}') });
    expect(await invoke(client, m, {})).toMatchObject({ ok: false, functionError: "Unhandled" });
  });

  it("stops waiting once the function's timeout has passed: a timed-out invocation, to be retried", async () => {
    lambda.on(InvokeCommand).callsFake(() => new Promise(() => {})); // a call that never comes back
    const started = Date.now();
    const outcome = await invoke(client, m, {}, 0, 50);
    expect(outcome).toEqual({ ok: false, functionError: "Sandbox.Timedout", response: "no reply in 0 s, its timeout" });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe("functionTimeout", () => {
  it("is the function's Timeout, or Lambda's most (900 s) when the function does not say", async () => {
    lambda.on(GetFunctionConfigurationCommand).resolves({ Timeout: 30 });
    expect(await functionTimeout(client, m)).toBe(30);
    lambda.on(GetFunctionConfigurationCommand).rejects(new Error("busy"));
    expect(await functionTimeout(client, m)).toBe(900);
  });
});
