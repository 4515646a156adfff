// @celeriac/celery: Celeriac and Python Celery on one Redis. The wire format alone, for other
// transports, is in '@celeriac/celery/protocol'.
export { celeryRedisStore } from './redis/celery-redis-store.js';
export { CeleryRedisBroker } from './redis/celery-redis-broker.js';
export { CeleryRedisBackend } from './redis/celery-redis-backend.js';
export { type CeleryRedisOptions, DEFAULT_CELERY_REDIS_OPTIONS } from './redis/options.js';
export { kombuPriority } from './redis/kombu.js';
export { CELERY_DEFAULT_QUEUE, type ParameterNames } from './protocol/index.js';
