// Following the function's CloudWatch Logs group: lesson 05 and the live view both read
// the handler's "seen" lines from it.
import {
  type CloudWatchLogsClient,
  type FilteredLogEvent,
  paginateFilterLogEvents,
} from "@aws-sdk/client-cloudwatch-logs";

/**
 * A follower of `logGroupName`: each call returns the events that are new since the last
 * call, from `startTime` on. The SDK's paginator follows nextToken; an event seen before
 * is skipped (told apart by eventId, which an emulator may leave out). An emulator may
 * never send a nextToken: completeness comes from calling again.
 */
export function followLogEvents(
  logs: CloudWatchLogsClient,
  logGroupName: string,
  { startTime, filterPattern }: { startTime: number; filterPattern?: string },
): () => Promise<FilteredLogEvent[]> {
  const seen = new Set<string>();
  return async () => {
    const fresh: FilteredLogEvent[] = [];
    for await (const page of paginateFilterLogEvents({ client: logs }, { logGroupName, startTime, filterPattern })) {
      for (const event of page.events ?? []) {
        const id = event.eventId ?? `${event.logStreamName}/${event.timestamp}/${event.message}`;
        if (seen.has(id)) continue;
        seen.add(id);
        fresh.push(event);
      }
    }
    return fresh;
  };
}
