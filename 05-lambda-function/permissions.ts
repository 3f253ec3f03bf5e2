// Lesson 05's IAM: who may use the function's role (the Lambda service), what the role
// may do (least privilege: this stream, this log group, the copies stream), and how to
// tell a role that is not visible to Lambda yet from one that is wrong.

/** The Lambda service may assume the role: that is all a trust policy says. */
export const TRUST_POLICY = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
};

/**
 * What the function may do, and on what: read this stream (the event source mapping
 * reads it with the function's role), write its own log group, send to its on-failure
 * queue, and put records on the copies stream (--copy-to) if there is one. Nothing on "*".
 */
export function rolePolicy(arns: { stream: string; logGroup: string; failureQueue?: string; copiesStream?: string }) {
  const statements: object[] = [
    {
      Sid: "ReadTheStream",
      Effect: "Allow",
      Action: [
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
        "kinesis:ListShards",
        "kinesis:GetShardIterator",
        "kinesis:GetRecords",
      ],
      Resource: arns.stream,
    },
    {
      Sid: "WriteOwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${arns.logGroup}:*`,
    },
  ];
  if (arns.failureQueue) {
    // The mapping sends what it gives up on to the on-failure queue with the function's role.
    statements.push({ Sid: "SendFailures", Effect: "Allow", Action: "sqs:SendMessage", Resource: arns.failureQueue });
  }
  if (arns.copiesStream) {
    statements.push({
      Sid: "WriteCopies",
      Effect: "Allow",
      Action: ["kinesis:PutRecord", "kinesis:PutRecords"],
      Resource: arns.copiesStream,
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * The two messages of a role that Lambda cannot see yet (IAM is eventually consistent):
 * CreateFunction's "cannot be assumed by Lambda", and CreateEventSourceMapping's "Please
 * ensure the role can perform the GetRecords… actions". Any other role error is real.
 */
export function isRolePropagationError(error: unknown): boolean {
  const { name, message = "" } = (error ?? {}) as { name?: string; message?: string };
  return (
    name === "InvalidParameterValueException" &&
    /cannot be assumed by Lambda|ensure the role can perform/i.test(message)
  );
}
