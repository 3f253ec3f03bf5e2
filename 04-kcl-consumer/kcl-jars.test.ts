// The KCL's jars: the lock is read as written, and a jar that does not match it is refused.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { downloadJar, kclVersion, type LockedJar, lockedJars, urlOf } from "./kcl-jars.js";

describe("kcl-jars.lock", () => {
  it("lists the 3.x MultiLangDaemon and each jar it needs, with a SHA-1", () => {
    const jars = lockedJars();
    expect(kclVersion(jars)).toMatch(/^3\.\d+\.\d+$/);
    expect(jars.length).toBeGreaterThan(100);
    for (const jar of jars) {
      expect(jar.group, JSON.stringify(jar)).toMatch(/^[\w.-]+$/);
      expect(jar.sha1, JSON.stringify(jar)).toMatch(/^[0-9a-f]{40}$/);
    }
    // They share one folder: no two may have the same file name.
    expect(new Set(jars.map((j) => `${j.artifact}-${j.version}.jar`)).size).toBe(jars.length);
  });

  it("finds each jar where Maven keeps it", () => {
    const jar = { group: "software.amazon.kinesis", artifact: "amazon-kinesis-client", version: "3.1.3", sha1: "" };
    expect(urlOf(jar, "https://repo.example/maven2")).toBe(
      "https://repo.example/maven2/software/amazon/kinesis/amazon-kinesis-client/3.1.3/amazon-kinesis-client-3.1.3.jar",
    );
  });
});

describe("downloading a jar (from a local stand-in for Maven Central)", () => {
  const served = Buffer.from("not really a jar");
  let server: Server;
  let repository = "";
  const dir = mkdtempSync(join(tmpdir(), "kcl-jars-"));
  const jar = (sha1: string): LockedJar => ({ group: "org.example", artifact: "thing", version: "1.0", sha1 });

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === "/m2/org/example/thing/1.0/thing-1.0.jar") response.end(served);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    repository = `http://127.0.0.1:${(server.address() as { port: number }).port}/m2`;
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps a jar whose SHA-1 matches the lock", async () => {
    await downloadJar(jar(createHash("sha1").update(served).digest("hex")), dir, repository);
    expect(readFileSync(join(dir, "thing-1.0.jar"))).toEqual(served);
  });

  it("refuses a jar whose SHA-1 does not match, and writes nothing", async () => {
    rmSync(join(dir, "thing-1.0.jar"), { force: true });
    await expect(downloadJar(jar("0".repeat(40)), dir, repository)).rejects.toThrow(/does not match kcl-jars\.lock/);
    expect(existsSync(join(dir, "thing-1.0.jar"))).toBe(false);
  });

  it("says what to do when the jar cannot be fetched", async () => {
    const missing = { ...jar("0".repeat(40)), artifact: "absent" };
    await expect(downloadJar(missing, dir, repository)).rejects.toThrow(/HTTP 404.*check your network/);
  });
});
