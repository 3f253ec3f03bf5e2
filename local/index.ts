// The local target, as the workshop reaches it: one call, made by shared/prepare-target.ts
// when a lesson runs on --target local (and loaded only then).
import { WorkshopError } from "../shared/errors.js";
import { say } from "../shared/output.js";
import { localEndpoint } from "../shared/targets.js";
import { defaultEmulatorPaths, findRunningEmulator, startEmulator } from "./emulator.js";

/**
 * The workshop's own emulator (at the default address) is installed and started on first
 * use; one named with --endpoint is used, never started: it must already run. Returns what
 * the banner says of it, for example "workshop Kinesis + MiniStack 1.5.33, AWS shard limits".
 */
export async function startLocalTarget(endpoint: string): Promise<string> {
  const emulator =
    endpoint === localEndpoint()
      ? await startEmulator(defaultEmulatorPaths())
      : await findRunningEmulator(Number(new URL(endpoint).port));
  if (!emulator) {
    throw new WorkshopError(
      `cannot reach ${endpoint} on local: start that emulator, or leave out --endpoint to use the workshop's`,
    );
  }
  if (emulator.lostState) {
    say(
      "! The local emulator had stopped without saving (it was killed, or the computer stopped): its streams and records are kept, but the tables, functions, roles and queues made since its last clean stop are gone. Run the lessons again from 01.",
    );
  }
  // A bare MiniStack (named with --endpoint) answers Kinesis itself; behind the workshop's endpoint, the workshop does.
  const engines = emulator.limits === undefined ? "MiniStack" : "workshop Kinesis + MiniStack";
  return `${engines} ${emulator.version}, ${limitsWords(emulator.limits)}`;
}

/** What the banner says of the limits in force on the local target. */
export function limitsWords(limits: boolean | undefined): string {
  if (limits === true) return "AWS shard limits";
  if (limits === false) return "limits off: no shard limits";
  return "no limits layer: a bare MiniStack";
}
