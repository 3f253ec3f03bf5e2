// npm run doctor, run as a student runs it, with a temporary HOME holding ~/.aws/credentials.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./cli.js";
import { freePort } from "./emulator.js";

const home = mkdtempSync(join(tmpdir(), "workshop-home-"));
const credentials = join(home, ".aws", "credentials");
mkdirSync(join(home, ".aws"));
// A made-up key: the file's mode is what is checked, never its contents.
writeFileSync(
  credentials,
  "[default]\naws_access_key_id = AKIAEXAMPLEEXAMPLE00\naws_secret_access_key = doctor-test-not-a-real-secret\n",
);
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function doctor() {
  // A free port: nothing answers there, so the endpoint check is "–", never the student's own emulator.
  const env = { HOME: home, AWS_SHARED_CREDENTIALS_FILE: "", WORKSHOP_LOCAL_PORT: String(await freePort()) };
  return runCli("scripts/doctor.ts", ["--target", "local"], env);
}

describe("npm run doctor", () => {
  it("flags a credentials file other users can read, with the chmod that fixes it", async () => {
    chmodSync(credentials, 0o644);
    const result = await doctor();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`✗ ${credentials} can be read by other users (mode 644)`);
    expect(result.stdout).toContain(`→ chmod 600 ${credentials}`);
    expect(result.stdout).not.toContain("doctor-test-not-a-real-secret");
  });

  it("passes with mode 600, and checks Node, Java, Python and the endpoint", async () => {
    chmodSync(credentials, 0o600);
    const result = await doctor();
    expect(result.stdout).toContain(`✓ ${credentials} is private (mode 600)`);
    // 22 and 24 pass; 20 (end of life) is a warning, not a failure.
    expect(result.stdout).toMatch(
      Number(process.versions.node.split(".")[0]) >= 22
        ? /✓ Node\.js \d+\.\d+/
        : /– Node\.js 20\.\d+\.\d+ reached end of life/,
    );
    expect(result.stdout).toMatch(/✓ Java \S+ for lesson 04/);
    expect(result.stdout).toMatch(/✓ Python 3\.\d+ for the local emulator/);
    expect(result.stdout).toMatch(/– nothing answers on http:\/\/127\.0\.0\.1:\d+ yet/);
    expect(result.code).toBe(0);
  });
});
