// runLesson(): what happens when a lesson file is run directly with tsx.
//
// Parse the flags, get the target ready, call main(), print the summary, and turn
// any failure into one line and exit code 1 (the stack only with --debug).
import { closeClients } from "./clients.js";
import { explain } from "./errors.js";
import { isMainModule } from "./main-module.js";
import { HelpRequested, parseOptions, type Flags, type LessonInfo, type LessonOptions } from "./options.js";
import { printSummary, problem, report } from "./output.js";
import { prepareTarget } from "./prepare-target.js";

/** Print one line for a failure and set exit code 1. */
export function reportFailure(
  error: unknown,
  context: { target: string; stream: string; endpoint?: string; debug?: boolean },
): void {
  const explained = explain(error, context);
  problem(`✗ ${explained.message}`);
  if (context.debug) problem(`${(error as Error)?.stack ?? error}`);
  else if (explained.name !== "WorkshopError") problem("  (run again with --debug for details)");
  process.exitCode = 1;
}

/** Piping into `head` closes stdout early: that is the reader's choice, not a failure. */
function endQuietlyOnClosedPipe(): void {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}

/**
 * What every command shares: read the flags (--help prints the help), get the target
 * ready if asked, run `body`, and turn a failure into one line and exit code 1.
 */
async function runWith<F extends Flags, R>(
  info: LessonInfo<F>,
  argv: string[],
  prepare: boolean,
  body: (options: LessonOptions<F>) => Promise<R>,
): Promise<R | undefined> {
  let options: LessonOptions<F> | undefined;
  try {
    options = parseOptions(info, argv);
    if (prepare) await prepareTarget(options);
    return await body(options);
  } catch (error) {
    if (error instanceof HelpRequested) {
      report(error.message);
      return undefined;
    }
    const debug = options?.debug ?? argv.includes("--debug");
    reportFailure(error, {
      target: options?.target ?? "local",
      stream: options?.stream ?? "",
      endpoint: options?.endpoint,
      debug,
    });
    return undefined;
  } finally {
    closeClients();
  }
}

/** Run `main` with the command line's options when `moduleUrl` is the script being run. */
export function runLesson<F extends Flags, S extends object>(
  moduleUrl: string,
  lesson: LessonInfo<F>,
  main: (options: LessonOptions<F>) => Promise<S>,
): void {
  if (!isMainModule(moduleUrl)) return;
  endQuietlyOnClosedPipe();
  void runNow(lesson, main);
}

/** A lesson's main() with these flags: its summary is printed, and returned. */
function runNow<F extends Flags, S extends object>(
  lesson: LessonInfo<F>,
  main: (options: LessonOptions<F>) => Promise<S>,
  argv: string[] = process.argv.slice(2),
): Promise<S | undefined> {
  return runWith(lesson, argv, true, async (options) => {
    const summary = await main(options);
    printSummary(summary, options.json);
    return summary;
  });
}

/**
 * The workshop's other commands (npm start, doctor, cleanup, bench): like runLesson, but
 * `body` prints its own results, and `prepare: false` leaves the target alone.
 */
export function runScript<F extends Flags>(
  moduleUrl: string,
  info: LessonInfo<F>,
  body: (options: LessonOptions<F>) => Promise<void>,
  { prepare = true } = {},
): void {
  if (!isMainModule(moduleUrl)) return;
  endQuietlyOnClosedPipe();
  void runWith(info, process.argv.slice(2), prepare, body);
}
