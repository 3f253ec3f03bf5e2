import { describe, expect, it } from "vitest";
import { explain } from "./errors.js";

const local = { target: "local", stream: "orders", endpoint: "http://127.0.0.1:4599" };

describe("explain", () => {
  it("tells to run lesson 01 when the stream is missing", () => {
    const error = Object.assign(new Error("Stream orders under account 000000000000 not found."), {
      name: "ResourceNotFoundException",
    });
    expect(explain(error, local).message).toBe(
      "stream orders not found on local: run lesson 01 first (npx tsx 01-make-a-stream/main.ts --stream orders)",
    );
  });

  it("says how to start an unreachable emulator", () => {
    const error = Object.assign(new Error("connect ECONNREFUSED"), { cause: { code: "ECONNREFUSED" } });
    expect(explain(error, local).message).toBe(
      "cannot reach http://127.0.0.1:4599 (ECONNREFUSED) on local: start it with: npm run emulator:start",
    );
  });

  it("explains missing credentials without printing any", () => {
    const error = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    expect(explain(error, { target: "aws", stream: "s" }).message).toMatch(
      /^no AWS credentials found for --target aws/,
    );
  });

  it("passes unknown errors through unchanged", () => {
    const error = new TypeError("boom");
    expect(explain(error, local)).toBe(error);
  });
});
