// The Kinesis Client Library's Java side: the MultiLangDaemon's jars, and the Java that runs them.
//
// The KCL is a Java library. kcl-jars.lock lists the jars of the KCL 3.x MultiLangDaemon
// (the version AWS recommends; it calls 1.x and 2.x outdated) with their SHA-1: they are
// downloaded once from Maven Central into .workshop/kcl-jars, checked, and kept. No Maven
// is needed. aws-kcl, the npm package, is only the Node side: the record processor.
//
// To move to another KCL release, resolve it with Maven and write the lock again:
//   mvn dependency:list -DincludeScope=runtime on a pom that asks for
//   software.amazon.kinesis:amazon-kinesis-client-multilang:<version>, and the jars' sha1sum.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { WorkshopError } from "../shared/errors.js";
import { Progress } from "../shared/output.js";
import { WORKSHOP_DIR } from "../shared/paths.js";
import { currentPlatform, type Platform } from "../shared/processes.js";

export const KCL_JAR_DIR = join(WORKSHOP_DIR, "kcl-jars");
export const MULTI_LANG_DAEMON = "software.amazon.kinesis.multilang.MultiLangDaemon";
/** Maven Central, or a mirror of it (MAVEN_REPOSITORY_URL). */
const mavenRepository = () =>
  (process.env.MAVEN_REPOSITORY_URL ?? "https://repo1.maven.org/maven2").replace(/\/+$/, "");

/** One jar of the lock: where Maven keeps it, and its SHA-1. */
export interface LockedJar {
  group: string;
  artifact: string;
  version: string;
  sha1: string;
}

/** The jars kcl-jars.lock lists. */
export function lockedJars(text = readFileSync(new URL("./kcl-jars.lock", import.meta.url), "utf8")): LockedJar[] {
  return text
    .split("\n")
    .filter((line) => line.trim() && !line.startsWith("#"))
    .map((line) => {
      const [coordinates = "", sha1 = ""] = line.trim().split(/\s+/);
      const [group = "", artifact = "", version = ""] = coordinates.split(":");
      return { group, artifact, version, sha1 };
    });
}

/** The KCL version lesson 04 runs, for example "3.1.3": the multilang jar's, in the lock. */
export function kclVersion(jars = lockedJars()): string {
  return jars.find((jar) => jar.artifact === "amazon-kinesis-client-multilang")?.version ?? "unknown";
}

/** The java to run ($JAVA_HOME/bin/java, else java on PATH) and its version, if it runs. */
export function probeJava(): { command: string; version?: string } {
  const command = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java";
  const probe = spawnSync(command, ["-version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) return { command };
  // java -version prints to stderr, for example: openjdk version "17.0.15" 2025-04-15
  return { command, version: /version "([^"]+)"/.exec(probe.stderr)?.[1] ?? "unknown" };
}

/** What to do when there is no Java: said by lesson 04 and by npm run doctor. */
export function javaFix(platform: Platform = currentPlatform()): string {
  const install = {
    darwin:
      "install a JDK 11 or newer, for example with Homebrew (brew install openjdk@17, then the symlink its note gives)",
    win32: "install a JDK 11 or newer, for example with winget install Microsoft.OpenJDK.17",
    linux: "install a JDK 11 or newer (for example apt-get install openjdk-17-jre-headless)",
  }[platform];
  return `${install}, or set JAVA_HOME to one`;
}

/** The java to run the daemon with; a one-line error when there is none. */
export function findJava(): string {
  const java = probeJava();
  if (!java.version)
    throw new WorkshopError(
      `lesson 04 needs Java to run the KCL daemon and found none ('${java.command}'): ${javaFix()}`,
    );
  return java.command;
}

const marker = () => join(KCL_JAR_DIR, `.complete-${kclVersion()}`);

/** True once the jars of this KCL version are fetched. */
export const kclJarsInstalled = () => existsSync(marker());

const fileName = (jar: LockedJar) => `${jar.artifact}-${jar.version}.jar`;
export const urlOf = (jar: LockedJar, repository = mavenRepository()) =>
  `${repository}/${jar.group.replaceAll(".", "/")}/${jar.artifact}/${jar.version}/${fileName(jar)}`;

/** The jars of the MultiLangDaemon, fetched once. Returns their paths for the classpath. */
export async function ensureKclJars(): Promise<string[]> {
  const jars = lockedJars();
  if (!existsSync(marker())) {
    const fetching = new Progress(
      `Fetching the KCL ${kclVersion(jars)} MultiLangDaemon (${jars.length} jars) into .workshop/kcl-jars (first run only)`,
    );
    rmSync(KCL_JAR_DIR, { recursive: true, force: true });
    mkdirSync(KCL_JAR_DIR, { recursive: true });
    const queue = [...jars];
    const worker = async () => {
      for (let jar = queue.shift(); jar; jar = queue.shift()) await downloadJar(jar, KCL_JAR_DIR);
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    writeFileSync(marker(), new Date().toISOString());
    fetching.done();
  }
  const wanted = new Set(jars.map(fileName));
  return readdirSync(KCL_JAR_DIR)
    .filter((f) => wanted.has(f))
    .map((f) => join(KCL_JAR_DIR, f));
}

/** Download one jar into `dir` and check it against the lock's SHA-1: a changed or cut-off jar is refused. */
export async function downloadJar(jar: LockedJar, dir: string, repository = mavenRepository()): Promise<void> {
  const url = urlOf(jar, repository);
  let bytes: Buffer;
  try {
    const reply = await fetch(url, { signal: AbortSignal.timeout(120_000) });
    if (!reply.ok) throw new Error(`HTTP ${reply.status}`);
    bytes = Buffer.from(await reply.arrayBuffer());
  } catch (error) {
    throw new WorkshopError(
      `could not download ${url} (${(error as Error).message}): check your network (or set MAVEN_REPOSITORY_URL to a Maven Central mirror), then run again`,
    );
  }
  const sha1 = createHash("sha1").update(bytes).digest("hex");
  if (sha1 !== jar.sha1) {
    throw new WorkshopError(`${url} does not match kcl-jars.lock (SHA-1 ${sha1}, expected ${jar.sha1}): not used`);
  }
  writeFileSync(join(dir, fileName(jar)), bytes);
}
