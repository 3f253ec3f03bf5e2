// The cost guard: before a lesson creates something billable on AWS, say what it is and roughly what it
// costs, and ask once (never on emulators, not with --yes). Prices: us-east-1; README "What it costs".
import { WorkshopError } from "./errors.js";
import type { TargetOptions } from "./options.js";
import { askYesNo, say, terminalPrompt } from "./output.js";

/** A provisioned stream: $0.015 per shard-hour, plus $0.014 per million PUT payload units (a 60 KB record is three). */
export const streamCost = (shards: number): string =>
  `about $${(0.015 * shards).toFixed(3)} per hour until deleted, plus $0.014 per million PUT payload units (25 KB each; a small record is one)`;

export const onDemandStreamCost = "about $0.04 per hour until deleted, plus $0.08 per GB written and $0.04 per GB read";

/**
 * On aws without --yes: list what is about to be created with its rough cost and ask "Go ahead?". A "no",
 * or no terminal to ask in, stops before anything is created; one "yes" sets options.yes for the run.
 */
export async function confirmBillable(
  options: TargetOptions,
  items: { what: string; cost: string }[],
  prompt = terminalPrompt(),
): Promise<void> {
  if (options.target !== "aws" || options.yes || items.length === 0) return;
  say("This creates billable resources in your AWS account:");
  for (const item of items) say(`  • ${item.what}: ${item.cost}`);
  if (!prompt.interactive) {
    throw new WorkshopError(
      "nothing was created: this would be billed on AWS and there is no terminal to ask in; run again with --yes to confirm",
    );
  }
  if (!(await askYesNo("Go ahead?", prompt))) {
    throw new WorkshopError("stopped: nothing was created. Run again and answer y, or pass --yes");
  }
  options.yes = true;
}
