// The record processor: the MultiLangDaemon starts one of these per shard lease and
// talks to it over stdin/stdout. stdout is that protocol channel, so this file never
// prints to it: it logs to stderr, and records what it processed in KCL_OUTPUT_FILE.
import { appendFileSync } from "node:fs";
import kcl, { type Checkpointer, type RecordProcessor } from "aws-kcl";
import { decodeRecord } from "../shared/records.js";

const outputFile = process.env.KCL_OUTPUT_FILE;
const crashOn = process.env.KCL_CRASH_ON === undefined ? undefined : Number(process.env.KCL_CRASH_ON);
const log = (line: string) => process.stderr.write(`[processor ${process.pid}] ${line}\n`);

let shardId = "?";

/** Checkpoint, log what went wrong if anything, then tell the daemon we are done. */
function checkpointThen(checkpointer: Checkpointer, sequenceNumber: string | undefined, done: () => void) {
  checkpointer.checkpoint(sequenceNumber, (error) => {
    if (error) log(`checkpoint at ${sequenceNumber ?? "end"} failed: ${error}`);
    done();
  });
}

export const processor: RecordProcessor = {
  initialize(input, done) {
    shardId = input.shardId;
    log(`initialize: leased ${shardId}, resuming after ${input.sequenceNumber ?? "nothing"}`);
    done();
  },

  processRecords({ records, checkpointer }, done) {
    const processed: string[] = [];
    for (const item of records) {
      const record = decodeRecord(Buffer.from(item.data, "base64"));
      // --crash-on N: an exception nobody catches. The processor dies, and so does the
      // daemon; the records after the last checkpoint come again after a restart.
      if (crashOn !== undefined && record?.index === crashOn)
        throw new Error(`crashing on record #${crashOn} (--crash-on)`);
      try {
        if (!record) throw new Error("not a workshop record");
        processed.push(
          JSON.stringify({
            shardId,
            runId: record.runId,
            index: record.index,
            sentAt: record.sentAt,
            processedAt: Date.now(),
          }),
        );
      } catch (error) {
        // One bad record must not stop the shard: note it and go on.
        log(`skipped record ${item.sequenceNumber}: ${(error as Error).message}`);
      }
    }
    // Checkpoint only after the records are processed: a crash before this line means
    // they are delivered again (at least once), never lost. They are reported once the
    // checkpoint is written, so a run that stops at --expect leaves none without it.
    const report = () => {
      if (outputFile && processed.length > 0) appendFileSync(outputFile, `${processed.join("\n")}\n`);
      done();
    };
    const last = records.at(-1)?.sequenceNumber;
    if (last) checkpointThen(checkpointer, last, report);
    else report();
  },

  leaseLost(_input, done) {
    // Another worker owns the shard now: it may not checkpoint here, it just stops.
    log(`lease lost: ${shardId}`);
    done();
  },

  shardEnded({ checkpointer }, done) {
    // The shard was split or merged and fully read: checkpoint at its end so the
    // children can start.
    log(`shard ended: ${shardId}`);
    checkpointThen(checkpointer, undefined, done);
  },

  shutdownRequested({ checkpointer }, done) {
    log(`shutdown requested: ${shardId}`);
    checkpointThen(checkpointer, undefined, done);
  },
};

kcl(processor).run();
