// npm run emulator:install | emulator:start | emulator:stop | emulator:status
//
//   npm run emulator:start -- --limits off    the emulator's raw speed: the limits layer counts, refuses nothing
//   npm run emulator:start -- --limits on     AWS's per-shard limits (the default; WORKSHOP_LIMITS sets it too)
// Starting with a --limits other than the running one restarts the layer alone; MiniStack keeps its state.
import {
  defaultEmulatorPaths,
  emulatorPid,
  findRunningEmulator,
  layerFiles,
  layerPid,
  limitsSetting,
  restartLayer,
  startEmulator,
  stopEmulator,
} from "../local/emulator.js";
import { installEmulator, MINISTACK_VERSION, VENV_SHOWN } from "../local/install.js";
import { WorkshopError } from "../shared/errors.js";
import { defineFlags, oneOf } from "../shared/options.js";
import { report } from "../shared/output.js";
import { runScript } from "../shared/run.js";
import { limitsWords } from "../local/index.js";

export const emulator = {
  usage: "npm run emulator:install|emulator:start|emulator:stop|emulator:status --",
  about: "Install, start, stop or ask about the local emulator (MiniStack behind the limits layer) on 127.0.0.1.",
  flags: defineFlags({
    install: { type: "boolean", help: "install MiniStack into .workshop/venv" },
    start: { type: "boolean", help: "start it (or change its limits with --limits)" },
    stop: { type: "boolean", help: "stop it; its state is saved" },
    status: { type: "boolean", help: "say whether it runs, with its PIDs and logs" },
    limits: {
      type: "string",
      value: "on|off",
      help: "with --start: AWS's per-shard limits (on), or the emulator's raw speed (off); default WORKSHOP_LIMITS, else on",
      parse: (value: string) => oneOf(value, "--limits", ["on", "off"] as const) === "on",
    },
  }),
};

runScript(
  import.meta.url,
  emulator,
  async (options) => {
    const paths = defaultEmulatorPaths();
    const where = `127.0.0.1:${paths.port}`;
    const chosen = (["install", "start", "stop", "status"] as const).filter((action) => options[action]);
    if (chosen.length !== 1) throw new WorkshopError(`say what to do: ${emulator.usage.replace(" --", "")}`);
    switch (chosen[0]) {
      case "install": {
        installEmulator();
        report(`MiniStack ${MINISTACK_VERSION} is installed in ${VENV_SHOWN}`);
        return;
      }
      case "start": {
        const limits = options.limits ?? limitsSetting();
        let running = await findRunningEmulator(paths.port);
        if (running && running.limits !== limits && layerPid(paths)) running = await restartLayer(paths, limits);
        running ??= await startEmulator(paths, { limits });
        report(
          `The workshop's Kinesis and MiniStack ${running.version} are running on ${where} (${limitsWords(running.limits)})` +
            `${running.pid ? `, MiniStack PID ${running.pid}` : ""}; state in ${paths.stateDir}`,
        );
        return;
      }
      case "stop": {
        const stopped = await stopEmulator(paths);
        report(
          stopped
            ? `Stopped the workshop's Kinesis and MiniStack on ${where}; their state is saved in ${paths.stateDir}`
            : `No workshop emulator was running on ${where}.`,
        );
        return;
      }
      default: {
        const running = await findRunningEmulator(paths.port);
        const pid = emulatorPid(paths);
        const layer = layerPid(paths);
        report(
          running
            ? `The workshop's Kinesis and MiniStack ${running.version} are running on ${where} (${limitsWords(running.limits)})` +
                `${pid ? `; MiniStack PID ${pid}` : ""}${layer ? `, endpoint (Kinesis) PID ${layer}` : ""}; logs ${paths.logFile}, ${layerFiles(paths).logFile}`
            : `Not running on ${where} (MiniStack ${MINISTACK_VERSION} starts with the first lesson, or: npm run emulator:start)`,
        );
      }
    }
  },
  { prepare: false }, // it manages the emulator itself
);
