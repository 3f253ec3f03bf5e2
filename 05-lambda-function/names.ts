// Everything lesson 05 creates is named after the stream, so a second student with
// --stream NAME gets resources of their own, and cleanup can find them.

/** The function, its role, the role's policy, its log group, and the fan-out stream. */
export function resourceNames(stream: string) {
  const functionName = `${stream}-handler`;
  return {
    functionName,
    roleName: `${functionName}-role`,
    policyName: "read-stream-write-logs",
    logGroupName: `/aws/lambda/${functionName}`,
    fanOutStream: `${stream}-copies`,
  };
}
