// Lesson 05's test invoke: a Kinesis event made by hand, as Lambda would send it, and what
// a failed invoke's reply says.
import { encodeRecord } from "../shared/index.js";

/** A Kinesis event as Lambda would send it, with one workshop record: for the test invoke. */
export function sampleEvent(streamArn: string) {
  const data = encodeRecord({ runId: "sample", index: 0, sentAt: Date.now(), body: "hello from a test invoke" });
  return {
    Records: [
      {
        kinesis: {
          kinesisSchemaVersion: "1.0",
          partitionKey: "sample",
          sequenceNumber: "49590338271490256608559692538361571095921575989136588898",
          data: Buffer.from(data).toString("base64"),
          approximateArrivalTimestamp: Date.now() / 1000,
        },
        eventSource: "aws:kinesis",
        eventVersion: "1.0",
        eventID: "shardId-000000000000:49590338271490256608559692538361571095921575989136588898",
        eventName: "aws:kinesis:record",
        invokeIdentityArn: "arn:aws:iam::000000000000:role/sample",
        awsRegion: streamArn.split(":")[3],
        eventSourceARN: streamArn,
      },
    ],
  };
}

/** "errorType: errorMessage" from a failed invoke's payload, or its text when it is not AWS's JSON. */
export function invokeFailure(payload: Uint8Array | undefined): string {
  const text = Buffer.from(payload ?? [])
    .toString("utf8")
    .trim();
  try {
    const { errorType, errorMessage } = JSON.parse(text);
    if (errorType || errorMessage) return `${errorType ?? "Error"}: ${errorMessage ?? ""}`.trim();
  } catch {
    // not JSON: some emulators answer in plain text
  }
  if (text) return text.length > 300 ? `${text.slice(0, 300)}…` : text;
  return "the function returned no error details";
}
