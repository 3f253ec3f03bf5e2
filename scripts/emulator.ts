// npm run emulator:start | emulator:stop | emulator:status
import { closeClients } from "../shared/clients.js";
import { defaultEmulatorPaths, emulatorPid, findRunningEmulator, installEmulator, startEmulator, stopEmulator, MINISTACK_VERSION } from "../shared/emulator.js";
import { reportFailure } from "../shared/run.js";

async function emulatorCommand(command: string | undefined): Promise<void> {
  const paths = defaultEmulatorPaths();
  const where = `127.0.0.1:${paths.port}`;
  switch (command) {
    case "install": {
      installEmulator();
      console.log(`MiniStack ${MINISTACK_VERSION} is installed in .workshop/venv`);
      return;
    }
    case "start": {
      const running = await startEmulator(paths);
      console.log(`MiniStack ${running.version} is running on ${where}${running.pid ? ` (PID ${running.pid})` : ""}; state in ${paths.stateDir}`);
      return;
    }
    case "stop": {
      const stopped = await stopEmulator(paths);
      console.log(stopped ? `Stopped MiniStack on ${where}; its state is saved in ${paths.stateDir}` : `No workshop emulator was running on ${where}.`);
      return;
    }
    case "status": {
      const running = await findRunningEmulator(paths.port);
      const pid = emulatorPid(paths);
      console.log(
        running
          ? `MiniStack ${running.version} is running on ${where}${pid ? ` (PID ${pid})` : ""}; log ${paths.logFile}`
          : `Not running on ${where} (MiniStack ${MINISTACK_VERSION} starts with the first lesson, or: npm run emulator:start)`,
      );
      return;
    }
    default:
      throw new Error(`usage: tsx scripts/emulator.ts install|start|stop|status (got '${command ?? ""}')`);
  }
}

emulatorCommand(process.argv[2])
  .catch((error) => reportFailure(error, { target: "local", stream: "" }))
  .finally(closeClients);
