// Turning failures into one line a student can act on.
//
// A lesson throws; runLesson() catches and calls explain(). Known failures become
// a WorkshopError whose message says what went wrong and what to do next. The
// stack trace is shown only with --debug. Credentials never appear in a message.

/** A failure we understand: its message is the one line the student sees. */
export class WorkshopError extends Error {
  override name = "WorkshopError";
}

/** What explain() needs to know about the run that failed. */
export interface ErrorContext {
  target: string;
  stream: string;
  endpoint?: string;
}

const UNREACHABLE = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENOTFOUND", "ETIMEDOUT", "EAI_AGAIN"]);

/** Find a network error code anywhere in an error's cause chain. */
function networkCode(error: unknown): string | undefined {
  type Failure = { code?: unknown; cause?: unknown; errors?: unknown };
  const codeOf = (e: unknown) => {
    const code = (e as Failure | undefined)?.code;
    return typeof code === "string" && UNREACHABLE.has(code) ? code : undefined;
  };
  for (let e = error as Failure | undefined, depth = 0; e && depth < 5; e = e.cause as Failure | undefined, depth++) {
    const code = codeOf(e) ?? (Array.isArray(e.errors) ? e.errors.map(codeOf).find(Boolean) : undefined);
    if (code) return code;
  }
  return undefined;
}

/** Did the endpoint go away (the emulator was stopped or killed, the network dropped)? */
export function endpointWentAway(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return networkCode(error) !== undefined || name === "ServiceUnavailableException" || name === "TimeoutError";
}

/** How to start the endpoint of a target, for the "unreachable" message. */
export function howToStart(target: string): string {
  if (target === "local") return "start it with: npm run emulator:start";
  if (target === "localstack") {
    return "start LocalStack (or a compatible emulator) there, or point AWS_ENDPOINT_URL at it";
  }
  return "check your network connection";
}

/**
 * Map any error to a WorkshopError with an actionable message, or return it
 * unchanged when we have nothing better to say than the SDK.
 */
export function explain(error: unknown, context: ErrorContext): Error {
  if (error instanceof WorkshopError) return error;
  const e = error as { name?: string; message?: string } | undefined;
  const name: string = e?.name ?? "";
  const message: string = String(e?.message ?? error);
  const where = context.target;

  const code = networkCode(error);
  if (code) {
    const endpoint = context.endpoint ?? "the AWS endpoint";
    return new WorkshopError(`cannot reach ${endpoint} (${code}) on ${where}: ${howToStart(where)}`);
  }
  if (name === "CredentialsProviderError" || /Could not load credentials/i.test(message)) {
    return new WorkshopError(
      `no AWS credentials found for --target ${where}: run 'aws configure' or set AWS_PROFILE, ` +
        "or use --target local, which needs none",
    );
  }
  if (["UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException"].includes(name)) {
    return new WorkshopError(`AWS rejected your credentials (${name}): check the access key of your profile`);
  }
  if (name === "ExpiredTokenException" || name === "ExpiredToken") {
    return new WorkshopError("your AWS session token has expired: log in again (for example 'aws sso login')");
  }
  if (name === "ResourceNotFoundException" && /stream/i.test(message)) {
    return new WorkshopError(
      `stream ${context.stream} not found on ${where}: run lesson 01 first (npx tsx 01-make-a-stream/main.ts --stream ${context.stream})`,
    );
  }
  if (name === "ExpiredIteratorException") {
    return new WorkshopError(
      "the shard iterator kept expiring (an iterator lasts 5 minutes; it was renewed and expired again): run the lesson again, it asks for fresh iterators",
    );
  }
  if (name === "AccessDeniedException" || name === "AccessDenied") {
    return new WorkshopError(`access denied on ${where}: ${message}`);
  }
  return e instanceof Error ? e : new Error(message);
}
