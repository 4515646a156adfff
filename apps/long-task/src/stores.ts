import type { CeleriacOptions } from '@celeriac/core';
import { createRedisStores } from '@celeriac/redis';

/** Redis when `REDIS_URL` is set, else the in-memory default (everything in this process). */
export function storesFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<CeleriacOptions, 'broker' | 'backend'> {
  const url = env.REDIS_URL;
  if (url === undefined || url === '') return {};
  return createRedisStores({ connection: url, prefix: env.CELERIAC_PREFIX ?? 'long-task' });
}
