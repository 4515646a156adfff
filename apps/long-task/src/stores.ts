import type { CeleriacOptions } from '@celeriac/core';
import { createRedisStore } from '@celeriac/redis';

/** Redis when `REDIS_URL` is set, else the in-memory default (everything in this process). */
export function storeFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<CeleriacOptions, 'store'> {
  const url = env.REDIS_URL;
  if (url === undefined || url === '') return {};
  return { store: createRedisStore({ connection: url, prefix: env.CELERIAC_PREFIX ?? 'long-task' }) };
}
