// Lesson 03's --from flag: where an iterator starts, as one of the five ShardIteratorTypes.
import type { GetShardIteratorCommandInput } from "@aws-sdk/client-kinesis";
import { WorkshopError } from "../shared/index.js";

/** Where an iterator starts: the five ShardIteratorTypes, from the --from flag. */
export type StartingPosition = Pick<
  GetShardIteratorCommandInput,
  "ShardIteratorType" | "StartingSequenceNumber" | "Timestamp"
>;

export function startingPosition(from: string): StartingPosition {
  const [kind = "", value = ""] = from.split(/:(.*)/s);
  switch (kind) {
    case "trim-horizon": // the oldest record still kept (24 hours by default)
      return { ShardIteratorType: "TRIM_HORIZON" };
    case "latest": // only records put after the iterator was made
      return { ShardIteratorType: "LATEST" };
    case "at-sequence":
    case "after-sequence":
      // Sequence numbers are decimal strings of up to 128 digits, unique within a shard.
      if (!/^\d{1,128}$/.test(value)) {
        throw new WorkshopError(
          `'${value}' is not a sequence number (digits only, as printed by lesson 02's --single or by this lesson)`,
        );
      }
      return {
        ShardIteratorType: kind === "at-sequence" ? "AT_SEQUENCE_NUMBER" : "AFTER_SEQUENCE_NUMBER",
        StartingSequenceNumber: value,
      };
    case "at-timestamp": {
      const Timestamp = new Date(value);
      if (!value || Number.isNaN(Timestamp.getTime())) {
        throw new WorkshopError(
          `'${value}' is not a timestamp: use ISO 8601, for example at-timestamp:2026-11-25T10:00:00Z`,
        );
      }
      return { ShardIteratorType: "AT_TIMESTAMP", Timestamp };
    }
    default:
      throw new WorkshopError(
        `unknown --from '${from}': use trim-horizon, latest, at-sequence:SEQ, after-sequence:SEQ or at-timestamp:ISO`,
      );
  }
}
