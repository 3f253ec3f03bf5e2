// npm run conformance: what the lessons teach about AWS, checked on a target.
//
//   npm run conformance [-- --target local|localstack|aws] [--only GROUP|CHECK] [--long] [--json]
//
// One check per behaviour (conformance/*.ts), each with the AWS document that says it, the
// smallest thing that shows it (its own resources, deleted after), and a row: ✓ as AWS
// documents, ≠ a known difference of this target (conformance/known.ts), ✗ an unexpected
// one, which fails the run. Run it the day before class on the class's target.
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { clientFor } from "../shared/clients.js";
import { confirmBillable } from "../shared/costs.js";
import { WorkshopError } from "../shared/errors.js";
import { defineFlags, oneOf } from "../shared/options.js";
import { printJson, report, say } from "../shared/output.js";
import { runScript } from "../shared/run.js";
import {
  ALL_CHECKS,
  formatRow,
  GROUPS,
  type Row,
  runCheck,
  runFails,
  selectChecks,
  summaryLine,
} from "../conformance/runner.js";

export const conformance = {
  usage: "npm run conformance --",
  about: "Check, on a target, each AWS behaviour the lessons teach; known differences are listed, anything else fails.",
  flags: defineFlags({
    only: {
      type: "string",
      value: "GROUP|CHECK,…",
      help: `groups (${GROUPS.join(", ")}) or check ids, separated by commas`,
      parse: (text) => {
        const names: string[] = [...GROUPS, ...ALL_CHECKS.map((c) => c.id)];
        for (const part of text.split(",")) oneOf(part, "--only", names);
        return text;
      },
    },
    long: { type: "boolean", help: "also run the long checks (iterator expiry: about 5 minutes)" },
  }),
};

runScript(import.meta.url, conformance, async (options) => {
  const chosen = selectChecks(ALL_CHECKS, options);
  await confirmBillable(options, [
    {
      what: `up to ${chosen.filter((c) => !c.skip).length} checks: streams of 1 to 8 shards for seconds each (minutes for the ones that reshard), three small Lambda functions and IAM roles, all deleted after`,
      cost: "well under $0.05 for a whole run (shard-hours are billed by the second's hour: a few cents at most)",
    },
  ]);
  let stopped = false;
  process.once("SIGINT", () => {
    stopped = true;
    say("\n… stopping after this check (its resources are being deleted)");
  });
  const kinesis = clientFor(KinesisClient, options);
  const rows: Row[] = [];
  for (const { check, skip } of chosen) {
    if (stopped) break;
    const { id, group, lesson, aws, source } = check;
    const row: Row = skip
      ? { id, group, lesson, aws, source, observed: skip, outcome: "skipped", ms: 0 }
      : await runCheck(check, options, kinesis);
    rows.push(row);
    if (!options.json || !skip) say(formatRow(row));
  }
  report(`\n${options.target}: ${summaryLine(rows)}`);
  if (options.json) printJson({ target: options.target, failed: runFails(rows), rows });
  if (stopped)
    throw new WorkshopError(
      "stopped with Ctrl-C: what the checks made was deleted; npm run cleanup finds anything left",
    );
  if (runFails(rows)) process.exitCode = 1;
});
