// The answers the local endpoint gives itself, shaped as AWS shapes them (awsJson 1.1:
// a JSON body with __type and message, and the x-amzn-errortype header), so that every
// SDK, the AWS CLI and boto3 read them as they read AWS's.

export interface Reply {
  status: number;
  headers: Record<string, string | string[]>;
  body: string | Buffer;
}

export function awsError(status: number, type: string, message: string): Reply {
  return {
    status,
    headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": type },
    body: JSON.stringify({ __type: type, message }),
  };
}

export const jsonReply = (body: unknown, status = 200): Reply => ({
  status,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** A body that is not the JSON the operation takes (AWS: 400 SerializationException). */
export const serializationError = (message: string) => awsError(400, "SerializationException", message);

/** A field that breaks the API's constraints, named as AWS names it (for example 'records.2.member.partitionKey'). */
export const validationError = (field: string, value: unknown, constraint: string) =>
  awsError(400, "ValidationException", validationMessage(field, value, constraint));

/** AWS's words for a ValidationException: the value, the field, and the constraint it breaks. */
export const validationMessage = (field: string, value: unknown, constraint: string) =>
  `1 validation error detected: Value ${describe(value)} at '${field}' failed to satisfy constraint: ${constraint}`;

function describe(value: unknown): string {
  if (value === null || value === undefined) return "null";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return `'${text.length > 60 ? `${text.slice(0, 60)}…` : text}'`;
}

/** 403 for a request from outside this machine's own clients; the reason in one line. */
export const forbidden = (reason: string) => awsError(403, "AccessDeniedException", reason);

/** 413 for a body larger than AWS accepts for that call. */
export const tooLarge = (limit: number, what: string) =>
  awsError(413, "RequestEntityTooLargeException", `Request must be smaller than ${limit} bytes for ${what}`);

/** The emulator behind the endpoint failed or is too slow: its fault, never the client's (503, which SDKs retry). */
export const emulatorUnavailable = (why: string) =>
  awsError(
    503,
    "ServiceUnavailableException",
    `the local emulator behind the workshop's endpoint did not answer (${why}): npm run emulator:status says whether it runs`,
  );
