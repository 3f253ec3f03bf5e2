import { readFileSync } from "node:fs";
import { connect as connectHttp2 } from "node:http2";
import { delimiter, dirname, join, posix, win32 } from "node:path";
import { PROJECT_ROOT, WORKSHOP_DIR } from "../shared/paths.js";
import { startHttp2Bridge } from "./http2-bridge.js";
import { EMULATOR_CREDENTIALS, type TargetOptions } from "../shared/targets.js";
import { lastLinesOf, type Platform, currentPlatform, startProgram, stopGentlyThenHard } from "../shared/processes.js";
import { ensureKclJars, findJava, MULTI_LANG_DAEMON } from "./kcl-jars.js";

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
    "clientVersionConfig = CLIENT_VERSION_CONFIG_3X",
    "leaseAssignmentIntervalMillis = 2000",
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

/** The KCL names its DynamoDB lease table after the application. */
export const applicationName = (options: Pick<TargetOptions, "target" | "stream">) =>
  `workshop-kcl-${options.target}-${options.stream}`;

/** What a processor reports for each record it handled (see record-processor.ts). */
export interface ProcessedRecord {
  shardId: string;
  runId: string;
  index: number;
  sentAt: number;
  processedAt: number;
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
  /**
   * Stop (SIGTERM; SIGKILL after 30 s). The 3.1.3 daemon then exits at once: its
   * shutdownGraceMillis is 0, so it runs no graceful shutdown, and its leases stay with this
   * worker until they expire. Nothing is lost: the processor checkpoints after each batch.
   */
  stop(): Promise<void>;
  /** The last lines of its log, for an error message. */
  logTail(): string;
}

/**
 * The daemon moves little data for a short while: the JVM's quick compiler alone (C1) and its
 * simplest garbage collector suit that better than the defaults, tuned for long-running servers.
 * Measured on a 2-core machine, a cold run of lesson 04 over 1,000 records took about 5.6 s of
 * CPU with them and 8.4 s without.
 */
const JVM_OPTIONS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"];

/** Start `java … MultiLangDaemon --properties-file …` with the jars fetched once. */
export async function startMultiLangDaemon(start: DaemonStart): Promise<RunningDaemon> {
  const java = findJava();
  const classpath = [...(await ensureKclJars()), dirname(start.propertiesFile)].join(delimiter);
  const daemon = startProgram(
    java,
    [...JVM_OPTIONS, "-cp", classpath, MULTI_LANG_DAEMON, "--properties-file", start.propertiesFile],
    {
      logFile: start.logFile,
      append: true,
      // The processor's command line (executableName) is relative to the project folder.
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        ...start.env,
        AWS_REGION: start.region,
        // On emulators: dummy keys, and CBOR off (the local target reads Kinesis calls as JSON
        // only, and some emulators' CBOR replies carry timestamps in seconds, not milliseconds).
        ...(start.endpoint
          ? {
              AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
              AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
              JAVA_TOOL_OPTIONS: `${process.env.JAVA_TOOL_OPTIONS ?? ""} -Daws.cborEnabled=false`.trim(),
            }
          : {}),
      },
    },
  );
  const logTail = () => lastLinesOf(daemon.output());
  return {
    pid: daemon.pid,
    hasExited: daemon.hasExited,
    stop: () => (daemon.hasExited() ? Promise.resolve() : stopGentlyThenHard(daemon.pid, 30_000)),
    logTail,
    trouble: () => daemonTrouble(daemon.output()),
    firstCause() {
      const trouble = daemonTrouble(daemon.output(), 1);
      return trouble ? `${trouble.cause}: ${trouble.fix}` : `last log lines: ${logTail()}`;
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
 * Where the KCL should read Kinesis. The KCL's Java SDK speaks HTTP/2 to Kinesis (the KCL
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
