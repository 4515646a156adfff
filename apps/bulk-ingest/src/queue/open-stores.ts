import { type OpenedStore, openStore } from '@celeriac/sample-support';

/**
 * Every insert leaves a task record; a 100k-row batch would keep 100k of them for the default day.
 * Progress is read from the database, so the records are only needed for a short while.
 */
export const RESULT_TTL_MS = 10 * 60_000;

/** The shared in-memory-or-Redis choice, with task records kept only {@link RESULT_TTL_MS}. */
export function openIngestStore(redisUrl: string | undefined, resultTtl = RESULT_TTL_MS): OpenedStore {
  return openStore(redisUrl, { resultTtl });
}
