import type { Stores } from '@celeriac/core';
import { MemoryBackend, MemoryBroker } from '@celeriac/memory';
import { createRedisStores } from '@celeriac/redis';

export interface OpenedStores {
  stores: Stores;
  describe: string;
  close(): Promise<void>;
}

/**
 * `REDIS_URL` switches from the in-memory broker (one process) to Redis, so several instances of
 * the app share one queue and their schedulers enqueue each run once between them. The stores
 * are made here and passed to `new Celeriac()`, so closing them is ours to do.
 */
export function openStores(redisUrl: string | undefined): OpenedStores {
  const stores: Stores = redisUrl === undefined ? { broker: new MemoryBroker(), backend: new MemoryBackend() } : createRedisStores({ connection: redisUrl });
  return {
    stores,
    describe: redisUrl === undefined ? 'in-memory broker' : `Redis broker at ${redisUrl.replace(/\/\/[^@/]*@/, '//***@')}`,
    close: async () => {
      await Promise.all([stores.broker.close(), stores.backend.close()]);
    },
  };
}
