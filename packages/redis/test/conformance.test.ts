import type { TaskStore } from '@celeriac/core/adapter';
import { taskStoreConformance } from '@celeriac/core/testing';
import { redisForTests } from '@celeriac/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { brokerKeys } from '../src/internal/keys.js';
import { deleteKeys, expireLeases, prefixRegistry, uniquePrefix } from './helpers/redis.js';

let server: Awaited<ReturnType<typeof redisForTests>>;
let admin: Redis;
const { remember, prefixOf } = prefixRegistry();

beforeAll(async () => {
  server = await redisForTests();
  admin = new Redis(server.url);
});

afterAll(async () => {
  await admin.quit();
  await server.stop();
});

taskStoreConformance({
  name: 'redis',
  create: async () => {
    const prefix = uniquePrefix('store');
    const store = createRedisStore({ connection: server.url, prefix });
    return remember(store, prefix);
  },
  destroy: async (store: TaskStore) => deleteKeys(admin, prefixOf(store)),
  createWithRetention: async (retention) => {
    const prefix = uniquePrefix('lists');
    const store = createRedisStore({ connection: server.url, prefix, ...retention });
    return remember(store, prefix);
  },
  injectRaw: async (store: TaskStore, queue: string, raw: string) => {
    await admin.rpush(brokerKeys(prefixOf(store)).inbox(queue), raw);
  },
  // As if the holder died: its leases run out now (a heartbeat would only extend leases still held).
  abandon: (store: TaskStore) => expireLeases(admin, prefixOf(store)),
  createPeer: async (store: TaskStore) => createRedisStore({ connection: server.url, prefix: prefixOf(store) }),
});

// The same contract with every performance mechanism switched off (tuning: a comparison run must
// change speed only, never behaviour).
taskStoreConformance({
  name: 'redis, tuning off',
  create: async () => {
    const prefix = uniquePrefix('plain');
    const store = createRedisStore({ connection: server.url, prefix, tuning: { handOff: false, drainedHint: false, shortPaths: false } });
    return remember(store, prefix);
  },
  destroy: async (store: TaskStore) => deleteKeys(admin, prefixOf(store)),
  createWithRetention: async (retention) => {
    const prefix = uniquePrefix('plainlists');
    const store = createRedisStore({ connection: server.url, prefix, ...retention, tuning: { handOff: false, drainedHint: false, shortPaths: false } });
    return remember(store, prefix);
  },
  abandon: (store: TaskStore) => expireLeases(admin, prefixOf(store)),
});
