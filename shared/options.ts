// Command-line flags: the ones every lesson shares (--target, --stream, --region, --endpoint, --json,
// --debug, --yes, --help) and each lesson's own, declared with defineFlags(), read into one typed object.
import { parseArgs } from "node:util";
import { WorkshopError } from "./errors.js";
import { resolveTarget, type TargetOptions } from "./targets.js";

export type { TargetOptions };

export interface FlagSpec {
  type: "string" | "boolean";
  help: string;
  default?: string | boolean;
  /** Shown in --help after the flag, for example "N" or "PATH". */
  value?: string;
  /** Turns the text into what main() gets (a number, say) before the target starts, or throws naming `flag`. */
  parse?: (text: string, flag: string) => unknown;
}
export type Flags = Record<string, FlagSpec>;

/** What main() gets for a flag: a boolean, or its value (parsed, if it has a parse), undefined when not given and no default. */
type FlagValue<S extends FlagSpec> = S["type"] extends "boolean"
  ? boolean
  :
      | (S extends { parse: (text: string, flag: string) => infer T } ? T : string)
      | (S extends { default: string } ? never : undefined);

export type LessonOptions<F extends Flags = Record<never, FlagSpec>> = TargetOptions & {
  -readonly [K in keyof F]: FlagValue<F[K]>;
};

/** Declare a lesson's own flags; `const` keeps their types exact. */
export const defineFlags = <const F extends Flags>(flags: F): F => flags;

const COMMON_FLAGS = defineFlags({
  target: { type: "string", value: "local|localstack|aws", help: "where to run (default: local, or WORKSHOP_TARGET)" },
  stream: { type: "string", value: "NAME", default: "workshop-stream", help: "the stream the lessons share" },
  region: {
    type: "string",
    value: "REGION",
    help: "AWS region (default: AWS_REGION, your profile's, or us-east-1 on emulators)",
  },
  endpoint: {
    type: "string",
    value: "URL",
    help: "a running emulator's URL (default: the workshop's own on local; AWS_ENDPOINT_URL or http://localhost:4566 on localstack)",
  },
  json: { type: "boolean", help: "print the summary as one JSON line, last" },
  debug: { type: "boolean", help: "show stack traces and SDK requests" },
  yes: { type: "boolean", help: "do not ask before creating billable resources on aws" },
  help: { type: "boolean", help: "show this help" },
});

export interface LessonInfo<F extends Flags = Flags> {
  usage: string; // for example "npx tsx 01-make-a-stream/main.ts"
  about: string; // one or two sentences on what the lesson does
  flags: F;
}

export function helpText(lesson: LessonInfo): string {
  const rows = Object.entries({ ...lesson.flags, ...COMMON_FLAGS } as Flags).map(([name, spec]) => {
    const left = `  --${name}${spec.value ? ` ${spec.value}` : ""}`;
    const fallback = spec.default !== undefined && spec.type === "string" ? ` (default: ${spec.default})` : "";
    return `${left.padEnd(34)} ${spec.help}${fallback}`;
  });
  return [`Usage: ${lesson.usage} [flags]`, "", lesson.about, "", "Flags:", ...rows].join("\n");
}

/** Parse argv into a lesson's options. Unknown flags and bad values become WorkshopErrors. */
export function parseOptions<F extends Flags>(lesson: LessonInfo<F>, argv: string[], env = process.env) {
  const all: Flags = { ...lesson.flags, ...COMMON_FLAGS };
  let values: Record<string, string | boolean | undefined>;
  try {
    // parseArgs reads only each flag's type and default; it passes over help, value and parse.
    ({ values } = parseArgs({ args: argv, options: all, allowPositionals: false, strict: true }));
  } catch (error) {
    const detail = String((error as Error | undefined)?.message ?? error).split("\n")[0];
    throw new WorkshopError(`${detail} — run '${lesson.usage} --help' for the flags`);
  }
  for (const [name, spec] of Object.entries(all)) {
    if (spec.type === "boolean")
      values[name] = Boolean(values[name]); // not given: false, not missing
    else if (spec.parse && typeof values[name] === "string")
      values[name] = spec.parse(values[name], `--${name}`) as string;
  }
  const { help: _help, target, endpoint, region, ...rest } = values as Record<string, string | undefined>;
  return { ...rest, ...resolveTarget({ target, endpoint, region }, env) } as LessonOptions<F>;
}

/** A flag's parse that only checks: `check` throws for a bad value; a good one is passed on as written. */
export const checkedBy = (check: (text: string) => unknown) => (text: string) => {
  check(text);
  return text;
};

/**
 * A flag that takes a whole number: `wholeNumberFlag("how many records to put", { default: 100 })`, 1 or more
 * unless min/max say. With a default, main() always gets a number; without one, undefined when not given.
 */
export function wholeNumberFlag<const O extends { default?: number; value?: string; min?: number; max?: number }>(
  help: string,
  { default: fallback, value = "N", min = 1, max = Number.MAX_SAFE_INTEGER }: O = {} as O,
) {
  const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
  const parse = (text: string, flag: string): number => {
    const n = Number(text);
    if (text.trim() !== "" && Number.isInteger(n) && n >= min && n <= max) return n;
    throw new WorkshopError(`${flag} must be a whole number ${range}, got '${text}'`);
  };
  // parseArgs takes a default as text; the type below tells FlagValue whether main() can get undefined.
  const text = fallback?.toString() as O extends { default: number } ? string : undefined;
  return { type: "string" as const, value, help, default: text, parse };
}

/** For a flag's parse: `value` if it is one of `allowed`, else a WorkshopError naming `flag` and the words. */
export function oneOf<const T extends string>(value: string, flag: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new WorkshopError(`${flag} must be one of ${allowed.join(", ")}, got '${value}'`);
}
