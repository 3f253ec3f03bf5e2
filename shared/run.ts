// runLesson(): when a lesson file is run with tsx, read its flags, get the target ready, call main(), print
// the summary, and turn any failure into one line and exit code 1 (the stack only with --debug).
import { closeClients } from "./clients.js";
import { explain } from "./errors.js";
import { isMainModule } from "./paths.js";
import { helpText, parseOptions, type Flags, type LessonInfo, type LessonOptions } from "./options.js";
import { printSummary, problem, report } from "./output.js";
import { prepareTarget } from "./prepare-target.js";

/** Print a failure as one line, then the stack with --debug (or, if unexpected, a hint to use it); exit code 1. */
export function reportFailure(
  error: unknown,
  context: { target: string; stream: string; endpoint?: string; debug?: boolean },
) {
  const explained = explain(error, context);
  problem(`✗ ${explained.message}`);
  if (context.debug) problem(`${(error as Error)?.stack ?? error}`);
  else if (explained.name !== "WorkshopError") problem("  (run again with --debug for details)");
  process.exitCode = 1;
}

/** Run a lesson's `main` with the command line's options when `moduleUrl` is the script being run; print its summary. */
export function runLesson<F extends Flags>(
  moduleUrl: string,
  lesson: LessonInfo<F>,
  main: (options: LessonOptions<F>) => Promise<object>,
): void {
  runScript(moduleUrl, lesson, async (options) => printSummary(await main(options), options.json));
}

/** Other commands (npm start, doctor, cleanup, …) print their own results; `prepare: false` leaves the target alone. */
export function runScript<F extends Flags>(
  moduleUrl: string,
  info: LessonInfo<F>,
  body: (options: LessonOptions<F>) => Promise<void>,
  { prepare = true } = {},
): void {
  if (!isMainModule(moduleUrl)) return;
  // Piping into `head` closes stdout early: that is the reader's choice, not a failure.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(0);
  });
  const argv = process.argv.slice(2);
  let options: LessonOptions<F> | undefined;
  void (async () => {
    try {
      if (argv.includes("--help")) return report(helpText(info)); // before the flags are read: even beside a typo
      options = parseOptions(info, argv);
      if (prepare) await prepareTarget(options);
      await body(options);
    } catch (error) {
      const { target = "local", stream = "", endpoint, debug = argv.includes("--debug") } = options ?? {};
      reportFailure(error, { target, stream, endpoint, debug });
    } finally {
      closeClients();
    }
  })();
}
