// Which target a lesson runs on, and what each needs: the endpoint, the region, dummy keys
// for the emulators, the local emulator's port, and the tag every workshop resource carries.
import { WorkshopError } from "./errors.js";

export const TARGETS = ["local", "localstack", "aws"] as const;
export type Target = (typeof TARGETS)[number];

export const DEFAULT_STREAM = "workshop-stream";
export const DEFAULT_REGION = "us-east-1";
export const DEFAULT_LOCAL_PORT = 4599;
export const DEFAULT_LOCALSTACK_ENDPOINT = "http://localhost:4566";

/** Dummy credentials for emulator targets: they accept any key. */
export const EMULATOR_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

/** Every resource the workshop creates carries this tag, so cleanup can find it. */
export const WORKSHOP_TAG = { key: "workshop", value: "kinesis-lambda" } as const;
export const WORKSHOP_TAGS = { [WORKSHOP_TAG.key]: WORKSHOP_TAG.value };

/** Where lessons, tools and tests reach the local target and the workshop's own emulator: one address, made here. */
export const localEndpoint = (port = localPort()) => `http://127.0.0.1:${port}`;

/** Where the lesson talks to and how it reports: the same for every lesson. */
export interface TargetOptions {
  target: Target;
  /** The stream the lessons share. */
  stream: string;
  /** Always set once runLesson() has prepared the target. */
  region: string;
  /** The emulator's URL; undefined on aws, where the SDK picks AWS's endpoints. */
  endpoint: string | undefined;
  json: boolean;
  debug: boolean;
  /** Skip the confirmation prompt before creating billable resources on aws. */
  yes: boolean;
}

/** The local emulator's port: WORKSHOP_LOCAL_PORT, or 4599 so it never collides with a LocalStack on 4566. */
export function localPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.WORKSHOP_LOCAL_PORT;
  if (raw === undefined || raw === "") return DEFAULT_LOCAL_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new WorkshopError(`WORKSHOP_LOCAL_PORT must be a port number, got '${raw}'`);
  }
  return port;
}

/** Resolve target, endpoint and region from flags and the environment. */
export function resolveTarget(
  values: { target?: string; endpoint?: string; region?: string },
  env: NodeJS.ProcessEnv = process.env,
): Pick<TargetOptions, "target" | "endpoint" | "region"> {
  const target = (values.target ?? env.WORKSHOP_TARGET ?? "local") as Target;
  if (!TARGETS.includes(target)) {
    throw new WorkshopError(`unknown target '${target}': use --target local, --target localstack or --target aws`);
  }
  if (target === "aws") {
    if (values.endpoint) throw new WorkshopError("--endpoint is for emulators: drop it, or use --target localstack");
    // An empty region here is filled in by prepareTarget() from the SDK's own lookup (profile, IMDS).
    return { target, endpoint: undefined, region: values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "" };
  }
  const region = values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? DEFAULT_REGION;
  const fallback =
    target === "local" ? localEndpoint(localPort(env)) : (env.AWS_ENDPOINT_URL ?? DEFAULT_LOCALSTACK_ENDPOINT);
  return { target, endpoint: (values.endpoint ?? fallback).replace(/\/+$/, ""), region };
}
