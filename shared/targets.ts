// Which target a lesson runs on, and what each needs: the endpoint, the region, dummy keys
// for the emulators, the local emulator's port, and the tag every workshop resource carries.
import { WorkshopError } from "./errors.js";

export const TARGETS = ["local", "localstack", "aws"] as const;
export type Target = (typeof TARGETS)[number];

/** Dummy credentials for emulator targets: they accept any key. */
export const EMULATOR_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

/** Every resource the workshop creates carries this tag, so cleanup can find it. */
export const WORKSHOP_TAG = { key: "workshop", value: "kinesis-lambda" } as const;
export const WORKSHOP_TAGS = { [WORKSHOP_TAG.key]: WORKSHOP_TAG.value };

/** The URL of the workshop's own emulator, the local target's default endpoint; everything that needs it calls this. */
export const localEndpoint = (port = localPort()) => `http://127.0.0.1:${port}`;

/** Where the lesson talks to and how it reports: the same for every lesson. */
export interface TargetOptions {
  target: Target;
  stream: string;
  /** Always set once prepareTarget() has run; before that "" on aws when no flag or variable names one. */
  region: string;
  /** The emulator's URL; undefined on aws, where the SDK picks AWS's endpoints. */
  endpoint: string | undefined;
  json: boolean;
  debug: boolean;
  /** Do not ask before creating billable resources on aws. */
  yes: boolean;
}

/** The local emulator's port: WORKSHOP_LOCAL_PORT, or 4599 so it never collides with a LocalStack on 4566. */
export function localPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.WORKSHOP_LOCAL_PORT;
  const port = Number(raw || 4599);
  if (Number.isInteger(port) && port >= 1 && port <= 65535) return port;
  throw new WorkshopError(`WORKSHOP_LOCAL_PORT must be a port number, got '${raw}'`);
}

/** Resolve target, endpoint and region from flags and the environment. */
export function resolveTarget(
  values: { target?: string; endpoint?: string; region?: string },
  env: NodeJS.ProcessEnv = process.env,
): Pick<TargetOptions, "target" | "endpoint" | "region"> {
  const target = (values.target ?? (env.WORKSHOP_TARGET || "local")) as Target; // an empty variable is unset
  if (!TARGETS.includes(target))
    throw new WorkshopError(`unknown target '${target}': use --target local, --target localstack or --target aws`);
  const region = values.region || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (target === "aws") {
    if (values.endpoint) throw new WorkshopError("--endpoint is for emulators: drop it, or use --target localstack");
    // An empty region here is filled in by prepareTarget() from the SDK's own lookup (profile, IMDS).
    return { target, endpoint: undefined, region: region ?? "" };
  }
  const fallback = target === "local" ? localEndpoint(localPort(env)) : env.AWS_ENDPOINT_URL || "http://localhost:4566";
  return { target, endpoint: (values.endpoint ?? fallback).replace(/\/+$/, ""), region: region || "us-east-1" };
}
