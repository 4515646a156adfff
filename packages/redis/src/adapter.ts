// For stores built on Redis with another key layout (e.g. @celeriac/celery's): the parts of the
// Redis store that do not depend on its layout. Apps import from '@celeriac/redis'.
export { type RedisSideChannels, type WorkersAndEventsKeys, RedisWorkersAndEvents } from './internal/workers-and-events.js';
export { watchConnection } from './internal/connection-watch.js';
