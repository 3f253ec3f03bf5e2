// Lesson 01's behaviours: creating, describing and deleting streams.
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  ListTagsForStreamCommand,
  waitUntilStreamExists,
  KinesisClient,
} from "@aws-sdk/client-kinesis";
import { clientFor } from "../shared/clients.js";
import { API, type Check, errorOf, expect, GUIDE } from "./check.js";
import { waiterFor } from "../shared/wait.js";

export const STREAM_CHECKS: Check[] = [
  {
    id: "streams.duplicate-name",
    group: "streams",
    lesson: "01",
    aws: "CreateStream with a name in use → ResourceInUseException",
    source: `${API}, CreateStream: "ResourceInUseException: The resource is not available for this operation"`,
    async run(ctx) {
      const { name } = await ctx.stream("dup", 1);
      const error = await errorOf(ctx.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 })));
      return expect(error?.name === "ResourceInUseException", error?.name ?? "accepted");
    },
  },
  {
    id: "streams.name-only-is-on-demand",
    group: "streams",
    lesson: "01",
    aws: "CreateStream with a name only → an on-demand stream",
    source: `${GUIDE}, "Choose the data stream capacity mode": on-demand is the default when no shard count is given`,
    async run(ctx) {
      const StreamName = ctx.name("name-only");
      await ctx.kinesis.send(new CreateStreamCommand({ StreamName }));
      ctx.cleanup(() => ctx.kinesis.send(new DeleteStreamCommand({ StreamName })));
      const { StreamDescriptionSummary: s } = await ctx.kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
      const mode = s?.StreamModeDetails?.StreamMode ?? "no mode";
      return expect(mode === "ON_DEMAND", `${mode}, ${s?.OpenShardCount} shard(s)`);
    },
  },
  {
    id: "streams.retention-default",
    group: "streams",
    lesson: "01",
    aws: "a new stream keeps records 24 hours",
    source: `${GUIDE}, "Change the data retention period": "the default retention period of 24 hours"`,
    async run(ctx) {
      const { name } = await ctx.stream("retention", 1);
      const { StreamDescriptionSummary: s } = await ctx.kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: name }),
      );
      return expect(s?.RetentionPeriodHours === 24, `${s?.RetentionPeriodHours} hours`);
    },
  },
  {
    id: "streams.creating-status",
    group: "streams",
    lesson: "01",
    aws: "a new stream is CREATING before it is ACTIVE",
    source: `${API}, CreateStream: "Kinesis Data Streams immediately returns and sets the stream status to CREATING"`,
    async run(ctx) {
      const StreamName = ctx.name("creating");
      await ctx.kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
      ctx.cleanup(() => ctx.kinesis.send(new DeleteStreamCommand({ StreamName })));
      const { StreamDescriptionSummary: s } = await ctx.kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
      return expect(s?.StreamStatus === "CREATING", `${s?.StreamStatus} at once`);
    },
  },
  {
    id: "streams.create-tags",
    group: "streams",
    lesson: "01",
    aws: "tags given to CreateStream are stored",
    source: `${API}, CreateStream: "Tags: A set of up to 50 key-value pairs to use to create the tags"`,
    async run(ctx) {
      const StreamName = ctx.name("tags");
      await ctx.kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1, Tags: { lesson: "01" } }));
      ctx.cleanup(() => ctx.kinesis.send(new DeleteStreamCommand({ StreamName })));
      await waitUntilStreamExists(waiterFor(ctx.kinesis, 60), { StreamName });
      const { Tags = [] } = await ctx.kinesis.send(new ListTagsForStreamCommand({ StreamName }));
      const stored = Tags.some((t) => t.Key === "lesson" && t.Value === "01");
      if (!stored) {
        // Said apart: AddTagsToStream afterwards does work on the local target.
        await ctx.kinesis.send(new AddTagsToStreamCommand({ StreamName, Tags: { lesson: "01" } }));
      }
      return expect(stored, stored ? "stored" : "dropped");
    },
  },
  {
    id: "streams.other-region",
    group: "streams",
    lesson: "01",
    aws: "the same name in another region is another stream",
    source: `${GUIDE}, "Create a stream": stream names are unique per account and Region`,
    async run(ctx) {
      const { name } = await ctx.stream("regions", 1);
      const region = ctx.options.region === "eu-west-1" ? "us-west-2" : "eu-west-1";
      const there = clientFor(KinesisClient, { ...ctx.options, region });
      const missing = await errorOf(there.send(new DescribeStreamSummaryCommand({ StreamName: name })));
      await there.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
      ctx.cleanup(() => there.send(new DeleteStreamCommand({ StreamName: name })));
      const ok = missing?.name === "ResourceNotFoundException";
      return expect(ok, ok ? `not found in ${region}, then created there too` : `already there in ${region}`);
    },
  },
  {
    id: "streams.deleting-status",
    group: "streams",
    lesson: "01",
    aws: "a deleted stream is DELETING for a while",
    source: `${API}, DeleteStream: "the stream status is set to DELETING ... until the deletion completes"`,
    async run(ctx) {
      const { name } = await ctx.stream("deleting", 1);
      await ctx.kinesis.send(new DeleteStreamCommand({ StreamName: name }));
      const after = await ctx.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name })).then(
        (r) => r.StreamDescriptionSummary?.StreamStatus ?? "?",
        (e: Error) => e.name,
      );
      return expect(after === "DELETING", `${after} at once`);
    },
  },
];
