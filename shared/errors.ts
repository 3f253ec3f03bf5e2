// Turning failures into one line a student can act on: runLesson() calls explain(), and a known failure
// says what went wrong and what to do next. The stack only with --debug; never any credentials.

/** A failure we understand: its message is the one line the student sees. */
export class WorkshopError extends Error {
  override name = "WorkshopError";
}

const UNREACHABLE = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENOTFOUND", "ETIMEDOUT", "EAI_AGAIN"]);

/** A network error code in an error's cause chain, 5 links deep at most (or in an AggregateError's errors). */
function networkCode(error: unknown): string | undefined {
  type Failure = { code?: unknown; cause?: Failure; errors?: Failure[] } | undefined;
  const codeOf = (e: Failure) => (typeof e?.code === "string" && UNREACHABLE.has(e.code) ? e.code : undefined);
  for (let e = error as Failure, depth = 0; e && depth < 5; e = e.cause, depth++) {
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
  if (target === "localstack")
    return "start LocalStack (or a compatible emulator) there, or point AWS_ENDPOINT_URL at it";
  return "check your network connection";
}

/** A known failure becomes a WorkshopError whose message says what to do; any other is returned as it came. */
export function explain(error: unknown, context: { target: string; stream: string; endpoint?: string }): Error {
  if (error instanceof WorkshopError) return error;
  const { name = "", message = String(error) } = (error ?? {}) as { name?: string; message?: string };
  const { target, stream } = context;
  const code = networkCode(error);
  const says = (line: string) => new WorkshopError(line);
  if (code)
    return says(`cannot reach ${context.endpoint ?? "the AWS endpoint"} (${code}) on ${target}: ${howToStart(target)}`);
  if (name === "CredentialsProviderError" || /Could not load credentials/i.test(message))
    return says(
      `no AWS credentials found for --target ${target}: run 'aws configure' or set AWS_PROFILE, or use --target local, which needs none`,
    );
  if (["UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException"].includes(name))
    return says(`AWS rejected your credentials (${name}): check the access key of your profile`);
  if (name === "ExpiredTokenException" || name === "ExpiredToken")
    return says("your AWS session token has expired: log in again (for example 'aws sso login')");
  if (name === "ResourceNotFoundException" && /stream/i.test(message))
    return says(
      `stream ${stream} not found on ${target}: run lesson 01 first (npx tsx 01-make-a-stream/main.ts --stream ${stream})`,
    );
  if (name === "ExpiredIteratorException")
    return says(
      "the shard iterator kept expiring (an iterator lasts 5 minutes; it was renewed and expired again): run the lesson again, it asks for fresh iterators",
    );
  if (name === "AccessDeniedException" || name === "AccessDenied")
    return says(`access denied on ${target}: ${message}`);
  return error instanceof Error ? error : new Error(message);
}
