export { RedisBroker } from './redis-broker.js';
export { type RedisBrokerOptions, DEFAULT_REDIS_BROKER_OPTIONS } from './broker-options.js';
export { RedisBackend } from './redis-backend.js';
export { type RedisBackendOptions, DEFAULT_REDIS_BACKEND_OPTIONS } from './backend-options.js';
export { type RedisStores, type RedisStoresOptions, createRedisStores } from './create-redis-stores.js';
export type { RedisConnection } from './internal/connection.js';
export { RedisUnavailableError } from './errors/redis-unavailable-error.js';
