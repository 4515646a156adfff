import type { TaskStore } from '@celeriac/core';
import { MemoryStore } from '@celeriac/memory';
import { createRedisStore } from '@celeriac/redis';

export interface OpenedStore {
  store: TaskStore;
  describe: string;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** How long task records are kept after their last change, in ms. @defaultValue the store's default (a day) */
  resultTtl?: number;
}

/**
 * `REDIS_URL` switches from the in-memory store (one process) to Redis, so several instances of
 * an app share one queue (and with it their schedules and rate limits). The store is made here
 * and passed to `new Celeriac()`, so closing it is the caller's to do.
 */
export function openStore(redisUrl: string | undefined, options: OpenStoreOptions = {}): OpenedStore {
  const ttl = options.resultTtl === undefined ? {} : { resultTtl: options.resultTtl };
  const store: TaskStore = redisUrl === undefined ? new MemoryStore(ttl) : createRedisStore({ connection: redisUrl, ...ttl });
  return {
    store,
    describe: redisUrl === undefined ? 'in-memory store' : `Redis at ${redisUrl.replace(/\/\/[^@/]*@/, '//***@')}`,
    close: () => store.close(),
  };
}
