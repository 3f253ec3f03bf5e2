// What a conformance check is: one behaviour of AWS that a lesson teaches, where AWS
// documents it, and the smallest thing that shows it on a target. Each check makes its own
// resources, named conformance-…, and they are deleted after it, whatever happened.
import { randomBytes } from "node:crypto";
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ListShardsCommand,
  type Shard,
  waitUntilStreamExists,
} from "@aws-sdk/client-kinesis";
import type { TargetOptions } from "../shared/options.js";
import { WORKSHOP_TAGS } from "../shared/targets.js";
import { waiterFor } from "../shared/wait.js";

/** The Kinesis documents the checks cite, by their titles. */
export const GUIDE = "Amazon Kinesis Data Streams Developer Guide";
export const API = "Amazon Kinesis Data Streams API Reference";

export type Group = "streams" | "writes" | "reads" | "reshard" | "lambda" | "mapping";

export interface Check {
  /** Stable: known-differences lists and reports name it. */
  id: string;
  group: Group;
  /** The lesson that teaches it: a difference here is what its students meet. */
  lesson: "01" | "02" | "03" | "04" | "05";
  /** What AWS documents, in a few words. */
  aws: string;
  /** Where: the AWS document's title (and the figure or sentence). */
  source: string;
  /** Longer than 30 s: run only with --long. */
  long?: boolean;
  /** Its own time limit, where AWS itself takes longer than 30 s (a new mapping, IAM). */
  limitSeconds?: number;
  /** What it shows only exists on AWS (run only there). */
  awsOnly?: boolean;
  /** Show it: return what the target did, or throw Differs saying what it did instead. */
  run(ctx: CheckContext): Promise<string>;
}

/** The target did something other than what AWS documents. */
export class Differs extends Error {
  override name = "Differs";
}

export interface CheckContext {
  options: TargetOptions;
  kinesis: KinesisClient;
  /** A name of this run, for a resource of this check: conformance-<what>-<random>. */
  name(what: string): string;
  /** Run this after the check, whatever happens (delete what it made). */
  cleanup(step: () => Promise<unknown>): void;
  /** A stream of `shards` shards (or on-demand), ACTIVE, deleted after the check. */
  stream(what: string, shards?: number): Promise<{ name: string; arn: string; shards: Shard[] }>;
}

const RUN = randomBytes(3).toString("hex");

export function makeContext(
  options: TargetOptions,
  kinesis: KinesisClient,
): CheckContext & { finish(): Promise<void> } {
  const steps: (() => Promise<unknown>)[] = [];
  const ctx = {
    options,
    kinesis,
    name: (what: string) => `conformance-${what}-${RUN}`,
    cleanup: (step: () => Promise<unknown>) => void steps.push(step),
    async stream(what: string, shards?: number) {
      const StreamName = ctx.name(what);
      await kinesis.send(
        new CreateStreamCommand(
          shards === undefined
            ? { StreamName, StreamModeDetails: { StreamMode: "ON_DEMAND" } }
            : { StreamName, ShardCount: shards },
        ),
      );
      ctx.cleanup(() => kinesis.send(new DeleteStreamCommand({ StreamName, EnforceConsumerDeletion: true })));
      await waitUntilStreamExists(waiterFor(kinesis, 60), { StreamName });
      // Tagged, so that npm run cleanup finds it if a run is killed before it deletes it.
      await kinesis.send(new AddTagsToStreamCommand({ StreamName, Tags: WORKSHOP_TAGS }));
      const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName }));
      const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
      return { name: StreamName, arn: StreamDescriptionSummary!.StreamARN!, shards: Shards };
    },
    async finish() {
      for (const step of steps.splice(0).reverse()) await step().catch(() => {});
    },
  };
  return ctx;
}

/** The error `work` throws, or undefined when it succeeds. */
export async function errorOf(work: Promise<unknown>): Promise<{ name: string; message: string } | undefined> {
  try {
    await work;
    return undefined;
  } catch (error) {
    const { name = "Error", message = "" } = error as { name?: string; message?: string };
    return { name, message };
  }
}

/** Differs unless `ok`; `observed` says what the target did. */
export function expect(ok: boolean, observed: string): string {
  if (!ok) throw new Differs(observed);
  return observed;
}
