export { RedisStore, createRedisStore } from './redis-store.js';
export { type RedisDurableEnqueue, type RedisStoreOptions, type RedisStoreTuning, DEFAULT_REDIS_STORE_OPTIONS } from './store-options.js';
export type { RedisClusterConnection, RedisConnection, RedisSentinelConnection } from './internal/connection.js';
export { partitionPrefixes } from './internal/partition-tags.js';
export { RedisUnavailableError } from './errors/redis-unavailable-error.js';
export { NotReplicatedError } from './errors/not-replicated-error.js';
