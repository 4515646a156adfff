import type { Stores } from '@celeriac/core';
import { MemoryBackend, MemoryBroker } from '@celeriac/memory';
import { createRedisStores } from '@celeriac/redis';

export interface OpenedStores {
  stores: Stores;
  describe: string;
  close(): Promise<void>;
}

export interface OpenStoresOptions {
  /** How long task records are kept after their last change, in ms. @defaultValue the backend's default (a day) */
  resultTtl?: number;
}

/**
 * `REDIS_URL` switches from the in-memory broker (one process) to Redis, so several instances of
 * an app share one queue (and with it their schedules and rate limits). The stores are made here
 * and passed to `new Celeriac()`, so closing them is the caller's to do.
 */
export function openStores(redisUrl: string | undefined, options: OpenStoresOptions = {}): OpenedStores {
  const ttl = options.resultTtl === undefined ? {} : { resultTtl: options.resultTtl };
  const stores: Stores =
    redisUrl === undefined ? { broker: new MemoryBroker(), backend: new MemoryBackend(ttl) } : createRedisStores({ connection: redisUrl, ...ttl });
  return {
    stores,
    describe: redisUrl === undefined ? 'in-memory broker' : `Redis broker at ${redisUrl.replace(/\/\/[^@/]*@/, '//***@')}`,
    close: async () => {
      await Promise.all([stores.broker.close(), stores.backend.close()]);
    },
  };
}
