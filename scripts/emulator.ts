// npm run emulator:install | emulator:start | emulator:stop | emulator:status
//
//   npm run emulator:start -- --limits off    the emulator's raw speed: the limits layer counts, refuses nothing
//   npm run emulator:start -- --limits on     AWS's per-shard limits (the default; WORKSHOP_LIMITS sets it too)
// Starting with a --limits other than the running one restarts the layer alone; MiniStack keeps its state.
import { closeClients } from "../shared/clients.js";
import {
  defaultEmulatorPaths,
  emulatorPid,
  findRunningEmulator,
  installEmulator,
  layerFiles,
  layerPid,
  MINISTACK_VERSION,
  restartLayer,
  startEmulator,
  stopEmulator,
} from "../shared/emulator.js";
import { WorkshopError } from "../shared/errors.js";
import { limitsSetting } from "../shared/options.js";
import { reportFailure } from "../shared/run.js";
import { limitsWords } from "../shared/target.js";

const USAGE = "usage: npm run emulator:install|emulator:start|emulator:stop|emulator:status [-- --limits on|off]";

/** --limits on|off, else WORKSHOP_LIMITS, else on. */
function limitsFrom(args: string[]): boolean {
  const at = args.indexOf("--limits");
  if (at === -1) return limitsSetting();
  const value = args[at + 1];
  if (value !== "on" && value !== "off")
    throw new WorkshopError(`--limits takes on or off, got '${value ?? ""}' — ${USAGE}`);
  return value === "on";
}

async function emulatorCommand(command: string | undefined, args: string[]): Promise<void> {
  const paths = defaultEmulatorPaths();
  const where = `127.0.0.1:${paths.port}`;
  switch (command) {
    case "install": {
      installEmulator();
      console.log(`MiniStack ${MINISTACK_VERSION} is installed in .workshop/venv`);
      return;
    }
    case "start": {
      const limits = limitsFrom(args);
      let running = await findRunningEmulator(paths.port);
      if (running && running.limits !== limits && layerPid(paths)) running = await restartLayer(paths, limits);
      running ??= await startEmulator(paths, { limits });
      console.log(
        `MiniStack ${running.version} is running on ${where} (${limitsWords(running.limits)})` +
          `${running.pid ? `, PID ${running.pid}` : ""}; state in ${paths.stateDir}`,
      );
      return;
    }
    case "stop": {
      const stopped = await stopEmulator(paths);
      console.log(
        stopped
          ? `Stopped MiniStack on ${where}; its state is saved in ${paths.stateDir}`
          : `No workshop emulator was running on ${where}.`,
      );
      return;
    }
    case "status": {
      const running = await findRunningEmulator(paths.port);
      const pid = emulatorPid(paths);
      const layer = layerPid(paths);
      console.log(
        running
          ? `MiniStack ${running.version} is running on ${where} (${limitsWords(running.limits)})` +
              `${pid ? `; MiniStack PID ${pid}` : ""}${layer ? `, limits layer PID ${layer}` : ""}; logs ${paths.logFile}, ${layerFiles(paths).logFile}`
          : `Not running on ${where} (MiniStack ${MINISTACK_VERSION} starts with the first lesson, or: npm run emulator:start)`,
      );
      return;
    }
    default:
      throw new WorkshopError(`${USAGE} (got '${command ?? ""}')`);
  }
}

emulatorCommand(process.argv[2], process.argv.slice(3))
  .catch((error) => reportFailure(error, { target: "local", stream: "" }))
  .finally(closeClients);
