import type { CeleriacOptions } from '@celeriac/core';
import { createRedisStore } from '@celeriac/redis';

/**
 * The app's store: Redis when a URL is given (every process sharing it sees the same tasks),
 * otherwise the in-memory default (one process: API and worker together). The one place that
 * builds a store, so the rest of the app never names one.
 */
export function storeOptions(redisUrl: string | undefined, prefix = 'nest-app'): { options: CeleriacOptions; close: () => Promise<void> } {
  if (redisUrl === undefined) return { options: {}, close: async () => undefined };
  const store = createRedisStore({ connection: redisUrl, prefix });
  return { options: { store }, close: () => store.close() };
}
