// The Kinesis Client Library's Java side: the MultiLangDaemon and its jars.
//
// The KCL is a Java library. For other languages, its MultiLangDaemon runs the KCL and
// starts one child process per shard lease (our record processor), talking to it as
// JSON lines over stdin/stdout. The jars (about 80) are fetched once into
// .workshop/kcl-jars with Maven, or with aws-kcl's own downloader when Maven is missing.
import { spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { connect as connectHttp2 } from "node:http2";
import { delimiter, dirname, join, posix, win32 } from "node:path";
import { WorkshopError } from "../shared/errors.js";
import { PROJECT_ROOT, WORKSHOP_DIR } from "../shared/paths.js";
import { startHttp2Bridge } from "./http2-bridge.js";
import { EMULATOR_CREDENTIALS } from "../shared/targets.js";
import { progress } from "../shared/output.js";
import { currentPlatform, type Platform, stopProcessTree } from "../shared/processes.js";

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

export interface KclSettings {
  applicationName: string;
  /** This worker's name: the owner written on its leases. */
  workerId: string;
  streamName: string;
  region: string;
  /** Emulator URL; undefined on aws. */
  endpoint: string | undefined;
  /** Where the daemon reads Kinesis, when not `endpoint`: lesson 04's HTTP/2 bridge (see kinesisEndpointForKcl). */
  kinesisEndpoint?: string;
  /** The command the daemon runs for each shard lease. */
  executableName: string;
  idleTimeBetweenReadsInMillis: number;
}

/**
 * The daemon's properties file. Keys are case-sensitive and unknown keys are silently
 * ignored, so this is the one place they are spelled (04-kcl-consumer/sample.properties
 * explains each).
 */
export function kclProperties(s: KclSettings): string {
  const lines = [
    `executableName = ${s.executableName}`,
    `streamName = ${s.streamName}`,
    `applicationName = ${s.applicationName}`,
    `workerId = ${s.workerId}`,
    `regionName = ${s.region}`,
    "AWSCredentialsProvider = DefaultCredentialsProvider",
    "initialPositionInStream = TRIM_HORIZON",
    "retrievalMode = POLLING",
    `idleTimeBetweenReadsInMillis = ${s.idleTimeBetweenReadsInMillis}`,
    "maxRecords = 1000",
    "metricsLevel = NONE",
    "shardSyncIntervalMillis = 1000",
    "parentShardPollIntervalMillis = 1000",
    "failoverTimeMillis = 10000",
  ];
  if (s.endpoint)
    lines.push(`kinesisEndpoint = ${s.kinesisEndpoint ?? s.endpoint}`, `dynamoDBEndpoint = ${s.endpoint}`);
  return `${lines.join("\n")}\n`;
}

/**
 * A command line that runs a TypeScript file with Node and tsx, for a program that splits
 * its command on spaces (the KCL's executableName). It holds no absolute path: `node` is
 * found on the PATH, tsx and the script relative to the project folder, which must be the
 * working directory. So a space anywhere in the project's, Node's or Java's path cannot
 * break it, and no .cmd shim of node_modules/.bin is needed on Windows.
 */
export function nodeCommandLine(scriptParts: string[], platform: Platform = currentPlatform()): string {
  const script = (platform === "win32" ? win32 : posix).join(...scriptParts);
  if (/\s/.test(script)) throw new Error(`a script path inside the project must not contain spaces: ${script}`);
  return `node --import tsx ${script}`;
}

/** Where lesson 04 keeps each application's properties, daemon log and processor reports. */
export const KCL_WORK_DIR = join(WORKSHOP_DIR, "kcl");

export interface DaemonStart {
  propertiesFile: string;
  /** The daemon's stdout and stderr (and so the processors' stderr) are appended here. */
  logFile: string;
  region: string;
  /** Emulator URL; undefined on aws. */
  endpoint: string | undefined;
  /** Extra environment for the record processors the daemon starts. */
  env: Record<string, string>;
}

export interface RunningDaemon {
  pid: number;
  hasExited(): boolean;
  /** A failure the daemon keeps logging (seen 3 times or more since it started), if any. */
  trouble(): DaemonTrouble | undefined;
  /** The first known cause of failure in its log since it started, else its last lines. */
  firstCause(): string;
  /** Stop gracefully (SIGTERM: the daemon ends each lease with a final checkpoint); SIGKILL after 30 s. */
  stop(): Promise<void>;
  /** The last lines of its log, for an error message. */
  logTail(lines?: number): string;
}

/** Start `java … MultiLangDaemon --properties-file …` with the jars fetched once. */
export function startMultiLangDaemon(start: DaemonStart): RunningDaemon {
  const java = findJava();
  const classpath = [...ensureKclJars(), dirname(start.propertiesFile)].join(delimiter);
  const log = openSync(start.logFile, "a");
  const logStart = statSync(start.logFile).size; // the log is appended to: this run's lines start here
  const daemon = spawn(java, ["-cp", classpath, MULTI_LANG_DAEMON, "--properties-file", start.propertiesFile], {
    // The processor's command line (executableName) is relative to the project folder.
    cwd: PROJECT_ROOT,
    stdio: ["ignore", log, log],
    env: {
      ...process.env,
      ...start.env,
      AWS_REGION: start.region,
      // On emulators: dummy keys, and CBOR off (MiniStack's CBOR replies carry
      // timestamps in seconds where the Java SDK expects milliseconds).
      ...(start.endpoint
        ? {
            AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
            JAVA_TOOL_OPTIONS: `${process.env.JAVA_TOOL_OPTIONS ?? ""} -Daws.cborEnabled=false`.trim(),
          }
        : {}),
    },
  });
  closeSync(log);

  let exited = false;
  const exit = new Promise<void>((resolve) =>
    daemon.once("exit", () => {
      exited = true;
      resolve();
    }),
  );
  return {
    pid: daemon.pid!,
    hasExited: () => exited,
    async stop() {
      if (exited) return;
      stopProcessTree(daemon.pid!, "SIGTERM");
      const timer = setTimeout(() => stopProcessTree(daemon.pid!, "SIGKILL"), 30_000);
      await exit;
      clearTimeout(timer);
    },
    logTail: (lines = 3) => readFileSync(start.logFile, "utf8").trim().split("\n").slice(-lines).join(" | "),
    trouble: () => daemonTrouble(readFileSync(start.logFile).subarray(logStart).toString("utf8")),
    firstCause() {
      const trouble = daemonTrouble(readFileSync(start.logFile).subarray(logStart).toString("utf8"), 1);
      return trouble ? `${trouble.cause}: ${trouble.fix}` : `last log lines: ${this.logTail()}`;
    },
  };
}

export interface DaemonTrouble {
  cause: string;
  fix: string;
  /** How many times the log says it. */
  seen: number;
}

/** Failures the daemon logs over and over instead of stopping, each with what to do. */
const TROUBLES: { pattern: RegExp; cause: (m: RegExpMatchArray) => string; fix: string }[] = [
  {
    pattern: /Cannot run program "([^"]*)"[^\n]*?error=(\d+)/g,
    cause: (m) => `the daemon cannot start the record processor '${m[1]}' (error ${m[2]})`,
    fix: "check executableName in the properties file; a path with a space in it must not be split",
  },
  {
    pattern: /Received error line from subprocess \[((?:\w*Error|\w*Exception)\b[^\]]*)\]/g,
    cause: (m) => `a record processor failed with "${m[1]}"`,
    fix: "the daemon stops when a processor exits; fix record-processor.ts, or leave out --crash-on",
  },
  {
    pattern: /First received frame was not SETTINGS/g,
    cause: () => "the endpoint does not speak HTTP/2, which the KCL's Java SDK uses for Kinesis",
    fix: "use an emulator that speaks HTTP/2 without TLS (the workshop's local target does, and so does LocalStack)",
  },
  {
    pattern:
      /Unable to execute HTTP request: (Connection refused|[^\n(]*(?:refused|timed out|Connection reset)[^\n(]*)/g,
    cause: (m) => `the daemon cannot reach the endpoint (${m[1]!.trim()})`,
    fix: "check that the emulator is still running (npm run emulator:status), or your network on aws",
  },
  {
    pattern: /Unable to load credentials from any of the providers/g,
    cause: () => "the daemon finds no AWS credentials",
    fix: "run 'aws configure' or set AWS_PROFILE before lesson 04",
  },
];

/** The first failure that `log` mentions at least `times` times. */
export function daemonTrouble(log: string, times = 3): DaemonTrouble | undefined {
  let first: (DaemonTrouble & { at: number }) | undefined;
  for (const trouble of TROUBLES) {
    const matches = [...log.matchAll(trouble.pattern)];
    if (matches.length < times) continue;
    const at = matches[0]!.index ?? 0;
    if (!first || at < first.at)
      first = { cause: trouble.cause(matches[0]!), fix: trouble.fix, seen: matches.length, at };
  }
  if (!first) return undefined;
  const { at: _at, ...trouble } = first;
  return trouble;
}

/** Does the endpoint answer HTTP/2 without TLS (h2c with prior knowledge), as the KCL's Java SDK asks for Kinesis? */
export function speaksH2c(endpoint: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const session = connectHttp2(endpoint);
    const done = (answer: boolean) => {
      session.destroy();
      resolve(answer);
    };
    session.on("error", () => done(false));
    session.setTimeout(timeoutMs, () => done(false));
    const probe = session.request({ ":method": "GET", ":path": "/" });
    probe.on("response", () => done(true));
    probe.on("error", () => done(false));
    probe.end();
  });
}

/**
 * Where the KCL should read Kinesis. The KCL's Java SDK speaks HTTP/2 to Kinesis (KCL 2.7.2
 * builds that client itself; no property turns it to HTTP/1.1), so an emulator that speaks
 * only HTTP/1.1 leaves it retrying "First received frame was not SETTINGS" forever. For such
 * an emulator lesson 04 runs a bridge in its own process (http2-bridge.ts) that takes
 * HTTP/2 from the KCL and passes it on as HTTP/1.1.
 */
export async function kinesisEndpointForKcl(
  endpoint: string | undefined,
): Promise<{ endpoint: string | undefined; bridged: boolean; close(): Promise<void> }> {
  const direct = { endpoint, bridged: false, close: async () => {} };
  if (!endpoint?.startsWith("http://") || (await speaksH2c(endpoint))) return direct;
  const bridge = await startHttp2Bridge(new URL(endpoint));
  return { endpoint: bridge.endpoint, bridged: true, close: bridge.close };
}

/**
 * Follow a file of JSON lines that other processes append to: each call returns the
 * complete lines added since the last call (a half-written last line waits for the next).
 */
export function followJsonLines<T = unknown>(file: string): () => T[] {
  let offset = 0;
  return () => {
    const bytes = readFileSync(file);
    const end = bytes.lastIndexOf(0x0a) + 1; // just after the last newline
    if (end <= offset) return [];
    const lines = bytes.subarray(offset, end).toString("utf8").split("\n").filter(Boolean);
    offset = end;
    return lines.map((line) => JSON.parse(line) as T);
  };
}
