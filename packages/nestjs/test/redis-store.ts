import type { CeleriacOptions } from '@celeriac/core';
import { createRedisStore } from '@celeriac/redis';

/**
 * The one place these tests build a Redis store, so a change of the store's constructor touches
 * only this function. Stores passed in are the caller's to close (the app never closes them).
 */
export function redisStore(url: string, prefix: string): { options: CeleriacOptions; close: () => Promise<void> } {
  const store = createRedisStore({ connection: url, prefix });
  return { options: { store }, close: () => store.close() };
}
