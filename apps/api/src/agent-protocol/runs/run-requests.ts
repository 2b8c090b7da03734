import { parseOrThrow } from '@bulkhead/errors';
import { JoinQuery, lastEventIdSchema } from './agent-run.schemas';
import { StreamStart } from './run-streams.service';

/**
 * Where a joinStream starts: Last-Event-ID wins (-1: from the first event, N: after event N), then
 * the `after` cursor of the Location this API answered with, else only what comes from now on.
 */
export function streamStartOf(lastEventId: string | undefined, query: JoinQuery): StreamStart {
  const id = parseOrThrow(lastEventIdSchema, lastEventId?.trim() || undefined, 'Last-Event-ID');
  if (id !== undefined) {
    return Math.max(id, 0);
  }
  return query.after ?? 'live';
}

/** A request body's size as its Content-Length says, for the input bound's shortcut. */
export function bodyBytesOf(contentLength: string | undefined): number | undefined {
  const bytes = Number(contentLength);
  return contentLength === undefined || !Number.isFinite(bytes) ? undefined : bytes;
}
