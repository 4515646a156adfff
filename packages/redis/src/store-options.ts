import { type RedisBackendOptions, DEFAULT_REDIS_BACKEND_OPTIONS, resolveBackendOptions } from './backend-options.js';
import { type RedisBrokerOptions, type ResolvedRedisBrokerOptions, DEFAULT_REDIS_BROKER_OPTIONS, resolveBrokerOptions } from './broker-options.js';
import { optionChecks } from './internal/check-options.js';

/** Options of `createRedisStore()`. */
export interface RedisStoreOptions extends RedisBrokerOptions {
  /** How long a task's record is kept after its last change, in ms (every change restarts it). @defaultValue `86_400_000` (one day) */
  resultTtl?: number;
}

export interface ResolvedRedisStoreOptions extends ResolvedRedisBrokerOptions {
  resultTtl: number;
}

export const DEFAULT_REDIS_STORE_OPTIONS = { ...DEFAULT_REDIS_BROKER_OPTIONS, resultTtl: DEFAULT_REDIS_BACKEND_OPTIONS.resultTtl } as const;

/** Checks every option at once (a `TypeError` naming the option) and fills in the defaults. */
export function resolveStoreOptions(options: RedisStoreOptions, where = 'createRedisStore()'): ResolvedRedisStoreOptions {
  const check = optionChecks(where);
  const o = check.object(options) as RedisStoreOptions;
  check.unknownKeys(o, Object.keys(DEFAULT_REDIS_STORE_OPTIONS));
  const { resultTtl, ...brokerOptions } = o;
  const broker = resolveBrokerOptions(brokerOptions, where);
  return { ...broker, resultTtl: resolveBackendOptions(resultTtl === undefined ? {} : { resultTtl }, where).resultTtl };
}

/** The record side's options: the record batch keeps its own default unless `maxBatch` is given. */
export function backendOptionsOf(given: RedisStoreOptions, resolved: ResolvedRedisStoreOptions): RedisBackendOptions {
  const { connection, prefix, connectTimeout, resultTtl } = resolved;
  return given.maxBatch === undefined ? { connection, prefix, connectTimeout, resultTtl } : { connection, prefix, connectTimeout, resultTtl, maxBatch: given.maxBatch };
}
