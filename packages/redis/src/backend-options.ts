import type { RedisConnection } from './internal/connection.js';
import { optionChecks } from './internal/check-options.js';

export interface RedisBackendOptions {
  /** A `redis://` URL, ioredis options, or an ioredis instance (never closed by the backend). @defaultValue `'redis://127.0.0.1:6379'` */
  connection?: RedisConnection;
  /** Start of every key, as the hash tag `{prefix}`. @defaultValue `'celeriac'` */
  prefix?: string;
  /** How long start-up may wait for Redis before failing with `RedisUnavailableError`, in ms. @defaultValue `10_000` */
  connectTimeout?: number;
  /** How long a task's record is kept after its last change, in ms (every change restarts it). @defaultValue `86_400_000` (one day) */
  resultTtl?: number;
  /** Most updates sent in one script call. @defaultValue `500` */
  maxBatch?: number;
}

export interface ResolvedRedisBackendOptions {
  connection: RedisConnection;
  prefix: string;
  connectTimeout: number;
  resultTtl: number;
  maxBatch: number;
}

export const DEFAULT_REDIS_BACKEND_OPTIONS = {
  connection: 'redis://127.0.0.1:6379',
  prefix: 'celeriac',
  connectTimeout: 10_000,
  resultTtl: 86_400_000,
  maxBatch: 500,
} as const;

export const BACKEND_OPTION_NAMES = Object.keys(DEFAULT_REDIS_BACKEND_OPTIONS) as readonly (keyof RedisBackendOptions)[];

export function resolveBackendOptions(options: RedisBackendOptions, where = 'new RedisBackend()'): ResolvedRedisBackendOptions {
  const check = optionChecks(where);
  const o = check.object(options) as RedisBackendOptions;
  check.unknownKeys(o, BACKEND_OPTION_NAMES);
  const d = DEFAULT_REDIS_BACKEND_OPTIONS;
  if (o.connection !== undefined) check.connection(o.connection);
  return {
    connection: o.connection ?? d.connection,
    prefix: o.prefix === undefined ? d.prefix : check.prefix(o.prefix),
    connectTimeout: o.connectTimeout === undefined ? d.connectTimeout : check.positiveInt('connectTimeout', o.connectTimeout),
    resultTtl: o.resultTtl === undefined ? d.resultTtl : check.positiveInt('resultTtl', o.resultTtl),
    maxBatch: o.maxBatch === undefined ? d.maxBatch : check.positiveInt('maxBatch', o.maxBatch),
  };
}
