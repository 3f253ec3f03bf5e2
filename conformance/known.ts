// Known differences, per target: the checks whose failure there is expected, and why. A check
// that fails and is not listed fails the run; a listed check that passes is reported, so
// that the list shrinks. The README's table "Where the local target still differs from AWS"
// is checked against the local list (test/conformance.test.ts): each row names a check.
import type { Target } from "../shared/targets.js";

export interface KnownDifference {
  /** What the target does instead. */
  reason: string;
  /** The first cell of the README's differences row this is (local target only). */
  readmeRow?: string;
}

export const KNOWN_DIFFERENCES: Record<Target, Record<string, KnownDifference>> = {
  local: {
    "streams.creating-status": { reason: "the local target makes a stream ACTIVE at once", readmeRow: "a new stream" },
    "streams.deleting-status": { reason: "the local target deletes a stream at once", readmeRow: "deleting a stream" },
    "writes.on-demand-rate": {
      reason:
        "an on-demand stream is 4 shards here, each held to AWS's per-shard limits (a burst of 500 records): it does not grow",
      readmeRow: "a new on-demand stream",
    },
    "lambda.trust-policy": { reason: "MiniStack stores IAM roles and policies and enforces none", readmeRow: "IAM" },
    "lambda.runtime": { reason: "MiniStack runs functions on the node on your PATH", readmeRow: "Lambda runtime" },
  },
  // As found with kinesis-mock 0.6.2 (npm kinesis-local), LocalStack's Kinesis engine.
  localstack: {
    "streams.name-only-is-on-demand": {
      reason: "kinesis-mock gives a CreateStream with only a name 4 provisioned shards",
    },
    "writes.record-rate": { reason: "kinesis-mock has no per-shard write limits" },
    "writes.byte-rate": { reason: "kinesis-mock has no per-shard write limits" },
    "writes.partial-failure-shape": { reason: "kinesis-mock never refuses an entry for a shard's limit" },
    "writes.500-entries": { reason: "kinesis-mock takes a PutRecords of more than 500 entries" },
    "writes.record-size": { reason: "kinesis-mock refuses a record over 1 MiB with InvalidArgumentException" },
    "reads.call-rate": { reason: "kinesis-mock has no per-shard read limits" },
    "reads.malformed-iterator": { reason: "kinesis-mock answers with an error the SDK cannot name (Unknown)" },
    "lambda.trust-policy": {
      reason: "kinesis-mock is Kinesis only: LocalStack's Lambda and IAM answer these (not checked here)",
    },
    "lambda.runtime": { reason: "kinesis-mock is Kinesis only: LocalStack's Lambda runs functions in Docker" },
    "lambda.log-lines": { reason: "kinesis-mock is Kinesis only" },
    "mapping.retries-then-skip": { reason: "kinesis-mock is Kinesis only (no Lambda)" },
    "mapping.bisect": { reason: "kinesis-mock is Kinesis only (no Lambda); LocalStack's own mapping does not bisect" },
    "mapping.partial-batch": { reason: "kinesis-mock is Kinesis only (no Lambda)" },
  },
  aws: {},
};

/**
 * README rows that name a difference no quick check can show: the reason why not. (Each
 * other row names a check above.)
 */
export const UNCHECKED_README_ROWS: Record<string, string> = {
  "iterator expiry, retention trimming":
    "records are trimmed after 24 hours or more; iterator expiry is checked (--long)",
  "an unknown or malformed shard iterator":
    "AWS does not document which error; reads.malformed-iterator accepts either",
  "a new IAM role": "propagation takes seconds on AWS only; lesson 05 retries while it lasts",
  "CloudWatch Logs": "delivery takes seconds on AWS only; lesson 05 polls until the lines arrive",
  "CBOR (the Java SDK's default wire format)": "the conformance checks speak JSON, as the JavaScript SDK does",
  "enhanced fan-out, encryption, metrics":
    "the lessons use none of them; the local target answers UnknownOperationException",
};
