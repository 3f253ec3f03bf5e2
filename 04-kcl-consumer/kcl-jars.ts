// The Kinesis Client Library's Java side: the MultiLangDaemon's jars, and the Java that runs them.
//
// The KCL is a Java library; aws-kcl's pom.xml lists the jars its MultiLangDaemon needs
// (about 80). They are fetched once into .workshop/kcl-jars with Maven, or with aws-kcl's
// own downloader when Maven is missing.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { WorkshopError } from "../shared/errors.js";
import { progress } from "../shared/output.js";
import { PROJECT_ROOT, WORKSHOP_DIR } from "../shared/paths.js";
import { currentPlatform, type Platform } from "../shared/processes.js";

const AWS_KCL_DIR = join(PROJECT_ROOT, "node_modules", "aws-kcl");
export const KCL_JAR_DIR = join(WORKSHOP_DIR, "kcl-jars");
export const MULTI_LANG_DAEMON = "software.amazon.kinesis.multilang.MultiLangDaemon";

/** The KCL version aws-kcl's pom asks for, for example "2.7.2". */
export function kclVersion(): string {
  const pom = readFileSync(join(AWS_KCL_DIR, "pom.xml"), "utf8");
  return /<kcl\.version>([^<]+)<\/kcl\.version>/.exec(pom)?.[1] ?? "unknown";
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

/** The jars of the MultiLangDaemon, fetched once. Returns their paths for the classpath. */
export function ensureKclJars(): string[] {
  if (!existsSync(marker())) {
    const done = progress(
      `Fetching the KCL ${kclVersion()} MultiLangDaemon jars into .workshop/kcl-jars (first run only)`,
    );
    rmSync(KCL_JAR_DIR, { recursive: true, force: true });
    mkdirSync(KCL_JAR_DIR, { recursive: true });
    const mvn = spawnSync("mvn", ["--version"], { encoding: "utf8" });
    if (!mvn.error && mvn.status === 0) fetchWithMaven();
    else fetchWithBootstrap();
    writeFileSync(marker(), new Date().toISOString());
    done();
  }
  return readdirSync(KCL_JAR_DIR)
    .filter((f) => f.endsWith(".jar"))
    .map((f) => join(KCL_JAR_DIR, f));
}

/** aws-kcl's pom lists the dependencies but has no coordinates of its own: add them, then copy the jars. */
function fetchWithMaven(): void {
  const pomDir = join(WORKSHOP_DIR, "kcl-pom");
  mkdirSync(pomDir, { recursive: true });
  const pom = readFileSync(join(AWS_KCL_DIR, "pom.xml"), "utf8").replace(
    "<modelVersion>4.0.0</modelVersion>",
    "<modelVersion>4.0.0</modelVersion>\n    <groupId>workshop</groupId>\n    <artifactId>kcl-jars</artifactId>\n    <version>1</version>",
  );
  writeFileSync(join(pomDir, "pom.xml"), pom);
  const result = spawnSync(
    "mvn",
    [
      "-q",
      "-B",
      "-f",
      join(pomDir, "pom.xml"),
      "dependency:copy-dependencies",
      `-DoutputDirectory=${KCL_JAR_DIR}`,
      "-DincludeScope=runtime",
    ],
    { encoding: "utf8" },
  );
  if (result.status !== 0) {
    const detail = (result.stdout + result.stderr)
      .trim()
      .split("\n")
      .filter((l) => l.includes("ERROR"))
      .slice(0, 2)
      .join(" | ");
    throw new WorkshopError(
      `fetching the KCL jars with Maven failed: ${detail || "see mvn output"} — check your network, then run again`,
    );
  }
}

/** Without Maven: aws-kcl's kcl-bootstrap downloads the same jars one by one. */
function fetchWithBootstrap(): void {
  const properties = join(WORKSHOP_DIR, "kcl-bootstrap.properties");
  writeFileSync(properties, "executableName = none\n");
  const result = spawnSync(
    process.execPath,
    [join(AWS_KCL_DIR, "bin", "kcl-bootstrap"), "-p", properties, "-c", KCL_JAR_DIR],
    {
      encoding: "utf8",
      env: { ...process.env, JAVA_HOME: process.env.JAVA_HOME ?? "/usr" },
    },
  );
  const jars = existsSync(KCL_JAR_DIR) ? readdirSync(KCL_JAR_DIR).filter((f) => f.endsWith(".jar")) : [];
  if (result.status !== 0 || jars.length < 50) {
    throw new WorkshopError(
      "downloading the KCL jars failed (no Maven, and kcl-bootstrap could not fetch them): check your network, or install Maven, then run again",
    );
  }
}
