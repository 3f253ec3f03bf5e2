// prepareTarget on aws: the banner names the account and region before anything is created.
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { printedTo } from "../test/capture.js";
import { parseOptions } from "./options.js";
import { endpointAnswers, prepareTarget, runningViewUrl } from "./prepare-target.js";

const lesson = { usage: "x", about: "x", flags: {} };
const sts = mockClient(STSClient);

describe("prepareTarget on aws", () => {
  afterEach(() => {
    sts.reset();
    vi.unstubAllEnvs();
  });

  it("prints the account and region that will be billed, and how to clean up", async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: "123456789012", Arn: "arn:aws:iam::123456789012:user/student" });
    const options = parseOptions(lesson, ["--target", "aws", "--region", "eu-west-1"], {});
    const banner = await printedTo("stdout", () => prepareTarget(options));
    expect(banner).toContain("▶ target aws · account 123456789012 · region eu-west-1");
    expect(banner).toContain("npm run cleanup -- --target aws");
  });

  it("turns rejected credentials into one actionable line", async () => {
    sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error("The security token included in the request is invalid."), {
        name: "InvalidClientTokenId",
      }),
    );
    const options = parseOptions(lesson, ["--target", "aws", "--region", "eu-west-1"], {});
    await expect(prepareTarget(options)).rejects.toThrow(
      "AWS rejected your credentials (InvalidClientTokenId): check the access key of your profile",
    );
  });

  it("asks for a region when none is set anywhere", async () => {
    vi.stubEnv("AWS_REGION", "");
    vi.stubEnv("AWS_DEFAULT_REGION", "");
    vi.stubEnv("AWS_CONFIG_FILE", "/nonexistent/config");
    vi.stubEnv("AWS_PROFILE", "");
    const options = parseOptions(lesson, ["--target", "aws"], {});
    await expect(prepareTarget(options)).rejects.toThrow(/no AWS region set: pass --region eu-west-1, set AWS_REGION/);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
  });
});

describe("the banner's pointer to npm run view", () => {
  it("names the live view while its process runs, and nothing once it is gone", () => {
    const file = join(mkdtempSync(join(tmpdir(), "view-file-")), "view.json");
    expect(runningViewUrl(file)).toBeUndefined(); // no view started
    writeFileSync(file, JSON.stringify({ port: 4598, pid: process.pid }));
    expect(runningViewUrl(file)).toBe("http://127.0.0.1:4598/");
    writeFileSync(file, JSON.stringify({ port: 4598, pid: 2 ** 22 + 12345 })); // a process that is not there
    expect(runningViewUrl(file)).toBeUndefined();
  });
});

describe("whether an endpoint answers", () => {
  it("waits for one that takes the connection but is slow to answer, and gives up at once on a refused one", async () => {
    const { createServer } = await import("node:http");
    const server = createServer((_req, res) => void setTimeout(() => res.end("ok"), 400)); // a cold LocalStack
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      // (Scaled down: 200 ms stands for the first 3 s.)
      expect(await endpointAnswers(`http://127.0.0.1:${port}`, 2000, 200)).toBe(true);
      expect(await endpointAnswers(`http://127.0.0.1:${port}`, 100, 200)).toBe(false); // not patient enough
    } finally {
      server.closeAllConnections();
      server.close();
    }
    const started = Date.now();
    expect(await endpointAnswers(`http://127.0.0.1:${port}`)).toBe(false); // closed now: refused
    expect(Date.now() - started).toBeLessThan(2000);
  }, 20_000);
});
