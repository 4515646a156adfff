import { type TaskStore, splitStore } from '@celeriac/core/adapter';
import { CeleryRedisBackend } from './celery-redis-backend.js';
import { CeleryRedisBroker } from './celery-redis-broker.js';
import type { CeleryRedisOptions } from './options.js';

/**
 * A `TaskStore` that is a Celery deployment on Redis: kombu's queues (`CeleryRedisBroker`) and
 * Celery's Redis result backend (`CeleryRedisBackend`), joined by core's `splitStore`. Give it to
 * `new Celeriac({ store })`; Python's Celery app uses the same Redis as broker and backend.
 */
export function celeryRedisStore(options: CeleryRedisOptions): TaskStore {
  return splitStore(new CeleryRedisBroker(options), new CeleryRedisBackend(options));
}
