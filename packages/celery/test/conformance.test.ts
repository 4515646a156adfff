import { type Broker, type ResultBackend, type TaskStore, splitStore } from '@celeriac/core/adapter';
import { backendConformance, brokerConformance, taskStoreConformance } from '@celeriac/core/testing';
import { type RedisServer, startRedisServer } from '@celeriac/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { CeleryRedisBackend, CeleryRedisBroker } from '../src/index.js';
import { abandonDeliveries, celeryEnvelopeAround, deleteKeys, uniquePrefix } from './helpers/redis.js';

let server: RedisServer;
let admin: Redis;
const prefixes = new WeakMap<object, string>();
const prefixOf = (made: object) => prefixes.get(made) as string;
// Short enough that an abandoned delivery comes back within the suite's waits.
const tuning = { visibilityTimeout: 2_000, heartbeatInterval: 500, pollInterval: 50 };

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis(server.url);
});

afterAll(async () => {
  await admin.quit();
  await server.stop();
});

function made<T extends object>(value: T, prefix: string): T {
  prefixes.set(value, prefix);
  return value;
}

brokerConformance({
  name: 'celery on redis (kombu layout)',
  create: async () => {
    const keyPrefix = uniquePrefix('broker');
    return made(new CeleryRedisBroker({ connection: server.url, keyPrefix, ...tuning }), keyPrefix);
  },
  destroy: async (broker: Broker) => deleteKeys(admin, prefixOf(broker)),
  // A foreign producer's body in a valid envelope: the body is what the codec must judge.
  injectRaw: async (broker: Broker, queue, raw) => {
    await admin.lpush(prefixOf(broker) + queue, celeryEnvelopeAround(raw, queue));
  },
  abandon: (broker: Broker) => abandonDeliveries(admin, prefixOf(broker)),
  createPeer: async (broker: Broker) => new CeleryRedisBroker({ connection: server.url, keyPrefix: prefixOf(broker), ...tuning }),
});

backendConformance({
  name: 'celery result backend on redis',
  create: async () => {
    const keyPrefix = uniquePrefix('backend');
    return made(new CeleryRedisBackend({ connection: server.url, keyPrefix }), keyPrefix);
  },
  destroy: async (backend: ResultBackend) => deleteKeys(admin, prefixOf(backend)),
  createPeer: async (backend: ResultBackend) => new CeleryRedisBackend({ connection: server.url, keyPrefix: prefixOf(backend) }),
});

// No injectRaw here: its store-level cases need an admission step (an inbox message reusing a
// waiting task's id is refused), which kombu's layout has no place for (a producer pushes straight
// to the list, and Celery allows a repeated id). The malformed-body case is in the broker suite.
taskStoreConformance({
  name: 'splitStore(celery broker, celery backend) on redis',
  create: async () => {
    const keyPrefix = uniquePrefix('store');
    const options = { connection: server.url, keyPrefix, ...tuning };
    return made(splitStore(new CeleryRedisBroker(options), new CeleryRedisBackend(options)), keyPrefix);
  },
  destroy: async (store: TaskStore) => deleteKeys(admin, prefixOf(store)),
  abandon: (store: TaskStore) => abandonDeliveries(admin, prefixOf(store)),
  createPeer: async (store: TaskStore) => {
    const options = { connection: server.url, keyPrefix: prefixOf(store), ...tuning };
    return splitStore(new CeleryRedisBroker(options), new CeleryRedisBackend(options));
  },
  createWithRetention: async (retention) => {
    const keyPrefix = uniquePrefix('retention');
    const options = { connection: server.url, keyPrefix, ...tuning, ...retention };
    return made(splitStore(new CeleryRedisBroker(options), new CeleryRedisBackend(options)), keyPrefix);
  },
});
