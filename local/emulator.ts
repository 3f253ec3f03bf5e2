// The local emulator: MiniStack (installed by install.ts), run in the background,
// behind the limits layer (local/endpoint.ts), which holds each shard to AWS's limits.
//
// The first lesson run on the local target installs MiniStack (once, about 20 s) and
// starts both: the layer on 127.0.0.1:4599, where every client connects, and MiniStack
// on a loopback port of its own behind it. Every later run finds them answering and
// reuses them. MiniStack's state is saved in .workshop/emulator-state when it stops, so
// lessons run one after another (and after a restart) see the same streams, tables and functions.
import { createServer } from "node:net";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { WorkshopError } from "../shared/errors.js";
import type { LayerStatus } from "./stats.js";
import { localEndpoint, localPort } from "../shared/targets.js";
import { lastLines, startProgram, stopGentlyThenHard } from "../shared/processes.js";
import { livePid } from "./pid-check.js";
import { installEmulator, MINISTACK_VERSION } from "./install.js";
import { PROJECT_ROOT, WORKSHOP_DIR } from "../shared/paths.js";

const ENDPOINT = join(PROJECT_ROOT, "local", "endpoint.ts");

/**
 * Whether the local target holds each shard to AWS's limits (the limits layer refuses
 * what AWS would): WORKSHOP_LIMITS=on (the default) or off, to see the emulator's raw speed.
 */
export function limitsSetting(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = (env.WORKSHOP_LIMITS ?? "on").toLowerCase();
  if (raw === "on" || raw === "") return true;
  if (raw === "off") return false;
  throw new WorkshopError(`WORKSHOP_LIMITS must be on or off, got '${env.WORKSHOP_LIMITS}'`);
}

/** Only the services the lessons use are loaded: a faster start and a smaller state. */
const SERVICES = "kinesis,dynamodb,iam,lambda,logs,sts,sqs,sns";

export interface EmulatorPaths {
  port: number;
  stateDir: string;
  pidFile: string;
  logFile: string;
}

/** The student's emulator: port 4599 (or WORKSHOP_LOCAL_PORT), state under .workshop/. */
export function defaultEmulatorPaths(port = localPort()): EmulatorPaths {
  return {
    port,
    stateDir: join(WORKSHOP_DIR, "emulator-state"),
    pidFile: join(WORKSHOP_DIR, `emulator-${port}.pid`),
    logFile: join(WORKSHOP_DIR, `emulator-${port}.log`),
  };
}

export interface Health {
  version: string;
  services: Record<string, string>;
}

/** The limits layer's own files beside MiniStack's: its PID and its log. */
export function layerFiles(paths: EmulatorPaths): { pidFile: string; logFile: string } {
  return {
    pidFile: paths.pidFile.replace(/(\.pid)?$/, "-layer.pid"),
    logFile: paths.logFile.replace(/(\.log)?$/, "-layer.log"),
  };
}

/** Ask a port whether the limits layer answers there, and what it is set to; undefined when it does not. */
export async function layerStatus(port: number, timeoutMs = 1000): Promise<LayerStatus | undefined> {
  try {
    const response = await fetch(`${localEndpoint(port)}/_workshop/layer`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as Partial<LayerStatus>;
    return response.ok && body.layer === "workshop-limits" ? (body as LayerStatus) : undefined;
  } catch {
    return undefined;
  }
}

/** Ask a port for MiniStack's health; undefined when nothing answers. */
export async function healthOf(port: number, timeoutMs = 1000): Promise<Health | "other" | undefined> {
  try {
    const response = await fetch(`${localEndpoint(port)}/_ministack/health`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return "other";
    const body = (await response.json()) as Partial<Health>;
    return typeof body.version === "string" && body.services?.kinesis ? (body as Health) : "other";
  } catch (error) {
    // A server that answers with something other than JSON is not MiniStack.
    return (error as Error | undefined)?.name === "SyntaxError" ? "other" : undefined;
  }
}

export interface RunningEmulator {
  port: number;
  endpoint: string;
  version: string;
  /** true: the limits layer holds each shard to AWS's limits; false: it only counts; undefined: no layer (a bare MiniStack). */
  limits?: boolean;
  /** MiniStack's PID, set when this process started it. */
  pid?: number;
  /** Set when the last emulator on this state folder ended without saving (killed, or the machine stopped). */
  lostState?: boolean;
}

function notOurs(port: number, what: string): WorkshopError {
  return new WorkshopError(
    `port ${port} answers, but ${what}: stop that server, or pick another port with WORKSHOP_LOCAL_PORT=4600`,
  );
}

/** Check what answers on the port: our MiniStack (returned), nothing (undefined), or a stranger (thrown). */
export async function findRunningEmulator(port: number): Promise<RunningEmulator | undefined> {
  const layer = await layerStatus(port);
  // A layer whose MiniStack is gone is of no use: startEmulator() replaces both.
  if (layer && !layer.backendHealthy) return undefined;
  const health = await healthOf(port);
  if (health === undefined) return undefined;
  if (health === "other") throw notOurs(port, "it is not MiniStack");
  if (health.version !== MINISTACK_VERSION) {
    throw notOurs(port, `it is MiniStack ${health.version}, not the workshop's ${MINISTACK_VERSION}`);
  }
  return { port, endpoint: localEndpoint(port), version: health.version, limits: layer?.limits };
}

/** Start a program in the background (it outlives the lesson), its output in `logFile`; writes its PID to `pidFile`. */
function startInBackground(
  command: string,
  args: string[],
  files: { pidFile: string; logFile: string },
  env: NodeJS.ProcessEnv = process.env,
) {
  const program = startProgram(command, args, { logFile: files.logFile, cwd: PROJECT_ROOT, env, detached: true });
  writeFileSync(files.pidFile, `${program.pid}\n`);
  return {
    pid: program.pid,
    get exited() {
      return program.hasExited();
    },
  };
}

/**
 * Start MiniStack and the limits layer in front of it, in the background on 127.0.0.1,
 * and wait until both answer. Reuses an emulator that already answers on the port.
 * `limits` (default: WORKSHOP_LIMITS, on) sets whether the layer refuses what AWS would.
 */
export async function startEmulator(
  paths: EmulatorPaths = defaultEmulatorPaths(),
  { limits = limitsSetting() }: { limits?: boolean } = {},
): Promise<RunningEmulator> {
  const running = await findRunningEmulator(paths.port);
  if (running) return running;
  await stopEmulator(paths); // what is left of ours (a MiniStack whose layer died), stopped so it saves its state

  const python = installEmulator();
  mkdirSync(paths.stateDir, { recursive: true });
  // A marker that lives while the emulator runs: found at a start, the last one never stopped cleanly.
  const runningMarker = join(paths.stateDir, ".running");
  const lostState = existsSync(runningMarker);
  const backendPort = await freePort();
  const ministack = startInBackground(python, ["-m", "ministack"], paths, {
    ...process.env,
    GATEWAY_PORT: String(backendPort),
    BIND_HOST: "127.0.0.1", // never reachable from other machines
    PERSIST_STATE: "1",
    STATE_DIR: paths.stateDir,
    SERVICES,
    LOG_LEVEL: "WARNING",
    MINISTACK_REGION: "us-east-1",
    // A function's own SDK calls (lesson 05's --copy-to) go through the endpoint, where Kinesis is.
    AWS_ENDPOINT_URL: localEndpoint(paths.port),
  });
  const layer = launchLayer(paths, backendPort, limits);
  writeFileSync(runningMarker, `${ministack.pid}\n`);

  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && !ministack.exited && !layer.exited) {
    const health = await healthOf(paths.port, 500);
    if (health && health !== "other" && (await layerStatus(paths.port))) {
      return {
        port: paths.port,
        endpoint: localEndpoint(paths.port),
        version: health.version,
        limits,
        pid: ministack.pid,
        lostState,
      };
    }
    await sleep(50);
  }
  const layerLog = layerFiles(paths).logFile;
  const tail = ministack.exited ? lastLines(paths.logFile) : lastLines(layerLog) || lastLines(paths.logFile);
  await stopEmulator(paths);
  throw new WorkshopError(
    `the local emulator did not start on port ${paths.port}: ${tail || "no output"} (logs: ${paths.logFile}, ${layerLog})`,
  );
}

/** Start the limits layer on the emulator's port, in front of MiniStack on `backendPort`. */
function launchLayer(paths: EmulatorPaths, backendPort: number, limits: boolean) {
  const args = [
    "--import",
    "tsx",
    ENDPOINT,
    "--port",
    String(paths.port),
    "--backend",
    String(backendPort),
    "--limits",
    limits ? "on" : "off",
    "--mappings",
    join(paths.stateDir, "workshop-event-source-mappings.json"),
    "--kinesis",
    join(paths.stateDir, "workshop-kinesis"),
  ];
  return startInBackground(process.execPath, args, layerFiles(paths));
}

/**
 * Turn the limits on or off on a running emulator: a new layer replaces the old one,
 * in front of the same MiniStack, which keeps running with all its state.
 */
export async function restartLayer(paths: EmulatorPaths, limits: boolean): Promise<RunningEmulator> {
  const layer = await layerStatus(paths.port);
  if (!layer?.backendHealthy || !layerPid(paths)) {
    throw new WorkshopError(
      `no workshop emulator of ours runs on port ${paths.port}: start it with npm run emulator:start`,
    );
  }
  await stopLayer(paths);
  const started = launchLayer(paths, layer.backendPort, limits);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && !started.exited) {
    const running = await findRunningEmulator(paths.port);
    if (running?.limits === limits) return running;
    await sleep(50);
  }
  throw new WorkshopError(
    `the limits layer did not start again on port ${paths.port}: ${lastLines(layerFiles(paths).logFile) || "no output"}`,
  );
}

/** A TCP port nothing listens on at the moment, on 127.0.0.1: for the tests' and the bench's own emulators. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** MiniStack's PID from our pid file, if that process is alive and is MiniStack. */
export const emulatorPid = (paths: EmulatorPaths = defaultEmulatorPaths()) => livePid(paths.pidFile, "ministack");

/** The limits layer's PID, if it is alive. */
export const layerPid = (paths: EmulatorPaths = defaultEmulatorPaths()) =>
  livePid(layerFiles(paths).pidFile, "endpoint.ts");

/** SIGTERM (Windows: taskkill of its tree), then SIGKILL if it has not ended within 15 s. */
const endProcess = (pid: number) => stopGentlyThenHard(pid, 15_000);

/** Stop the limits layer alone (MiniStack keeps running): for turning the limits on or off. */
export async function stopLayer(paths: EmulatorPaths = defaultEmulatorPaths()): Promise<boolean> {
  const pid = layerPid(paths);
  rmSync(layerFiles(paths).pidFile, { force: true });
  if (pid === undefined) return false;
  await endProcess(pid);
  return true;
}

/**
 * Stop the emulator this workshop started: the layer, then MiniStack, gracefully
 * (SIGTERM), so MiniStack saves its state. Returns false when there was nothing of ours to stop.
 */
export async function stopEmulator(paths: EmulatorPaths = defaultEmulatorPaths()): Promise<boolean> {
  const layer = await stopLayer(paths);
  const pid = emulatorPid(paths);
  rmSync(paths.pidFile, { force: true });
  if (pid === undefined) return layer;
  await endProcess(pid);
  rmSync(join(paths.stateDir, ".running"), { force: true }); // stopped cleanly: its state is saved
  return true;
}
