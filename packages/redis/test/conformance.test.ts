import type { Broker, ResultBackend } from '@celeriac/core';
import { backendConformance, brokerConformance } from '@celeriac/core/testing';
import { redisForTests } from '@celeriac/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { RedisBackend, RedisBroker, createRedisStores } from '../src/index.js';
import { brokerKeys } from '../src/internal/keys.js';
import { deleteKeys, expireLeases, uniquePrefix } from './helpers/redis.js';

let server: Awaited<ReturnType<typeof redisForTests>>;
let admin: Redis;
const prefixes = new WeakMap<object, string>();

beforeAll(async () => {
  server = await redisForTests();
  admin = new Redis(server.url);
});

afterAll(async () => {
  await admin.quit();
  await server.stop();
});

function prefixOf(store: object): string {
  const prefix = prefixes.get(store);
  if (prefix === undefined) throw new Error('store made outside this file');
  return prefix;
}

brokerConformance({
  name: 'redis',
  create: async () => {
    const prefix = uniquePrefix('broker');
    const broker = new RedisBroker({ connection: server.url, prefix });
    prefixes.set(broker, prefix);
    return broker;
  },
  destroy: async (broker: Broker) => deleteKeys(admin, prefixOf(broker)),
  injectRaw: async (broker: Broker, queue: string, raw: string) => {
    await admin.rpush(brokerKeys(prefixOf(broker)).inbox(queue), raw);
  },
  // As if the holder died: its leases run out now (a heartbeat would only extend leases still held).
  abandon: (broker: Broker) => expireLeases(admin, prefixOf(broker)),
  createPeer: async (broker: Broker) => new RedisBroker({ connection: server.url, prefix: prefixOf(broker) }),
  createCombined: async () => {
    const prefix = uniquePrefix('combined');
    const stores = createRedisStores({ connection: server.url, prefix });
    prefixes.set(stores.broker, prefix);
    return stores;
  },
});

backendConformance({
  name: 'redis',
  create: async () => {
    const prefix = uniquePrefix('backend');
    const backend = new RedisBackend({ connection: server.url, prefix });
    prefixes.set(backend, prefix);
    return backend;
  },
  destroy: async (backend: ResultBackend) => deleteKeys(admin, prefixOf(backend)),
  createPeer: async (backend: ResultBackend) => new RedisBackend({ connection: server.url, prefix: prefixOf(backend) }),
});
