// Lesson 05's --copy-to STREAM: a second stream that the function writes a copy of each
// record to (a function with an output, not Kinesis's enhanced fan-out), and the wait
// until every copy is there.
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  type KinesisClient,
  ResourceInUseException,
  waitUntilStreamExists,
} from "@aws-sdk/client-kinesis";
import { pollUntil, say, tallyStream, waiterFor, waitingFor, WORKSHOP_TAGS } from "../shared/index.js";

/** Create the copies stream (one provisioned shard, tagged as the workshop's), or reuse it; returns its ARN. */
export async function ensureCopiesStream(kinesis: KinesisClient, streamArn: string, name: string): Promise<string> {
  try {
    await kinesis.send(
      new CreateStreamCommand({
        StreamName: name,
        ShardCount: 1,
        StreamModeDetails: { StreamMode: "PROVISIONED" },
        Tags: WORKSHOP_TAGS,
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitingFor(`${name} to be ACTIVE`, waitUntilStreamExists(waiterFor(kinesis), { StreamName: name }));
  // Tagged again: some emulators drop CreateStream's tags, and cleanup finds the copies by tag.
  await kinesis.send(new AddTagsToStreamCommand({ StreamName: name, Tags: WORKSHOP_TAGS }));
  say(`Copies stream ${name} is ready.`);
  return streamArn.replace(/stream\/.*$/, `stream/${name}`);
}

/** Read the copies stream until it holds a copy of each of run `runId`'s `expected` records. */
export async function waitForCopies(
  kinesis: KinesisClient,
  name: string,
  runId: string,
  expected: number,
  timeoutMs: number,
): Promise<number> {
  const copies = await pollUntil(
    () => `${expected} copies in ${name}`,
    async () => {
      const found = (await tallyStream(kinesis, name)).uniqueFor(runId);
      return found >= expected ? found : undefined;
    },
    { timeoutMs, intervalMs: 1000 },
  );
  say(`The function copied all ${copies} records to ${name}.`);
  return copies;
}
