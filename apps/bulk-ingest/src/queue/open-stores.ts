import type { Stores } from '@celeriac/core';
import { MemoryBackend, MemoryBroker } from '@celeriac/memory';
import { createRedisStores } from '@celeriac/redis';

/**
 * Every insert leaves a task record; a 100k-row batch would keep 100k of them for the default day.
 * Progress is read from the database, so the records are only needed for a short while.
 */
export const RESULT_TTL_MS = 10 * 60_000;

export interface OpenedStores {
  stores: Stores;
  describe: string;
  close(): Promise<void>;
}

/**
 * `REDIS_URL` switches from the in-memory broker (one process) to Redis, so several instances of
 * the app share one queue and one rate limit (enforced in Redis across all of their workers). The stores
 * are made here and passed to `new Celeriac()`, so closing them is ours to do.
 */
export function openStores(redisUrl: string | undefined, resultTtl = RESULT_TTL_MS): OpenedStores {
  const stores: Stores =
    redisUrl === undefined ? { broker: new MemoryBroker(), backend: new MemoryBackend({ resultTtl }) } : createRedisStores({ connection: redisUrl, resultTtl });
  return {
    stores,
    describe: redisUrl === undefined ? 'in-memory broker' : `Redis broker at ${redisUrl.replace(/\/\/[^@/]*@/, '//***@')}`,
    close: async () => {
      await Promise.all([stores.broker.close(), stores.backend.close()]);
    },
  };
}
