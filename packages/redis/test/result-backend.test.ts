import type { ResultBackend } from '@celeriac/core/adapter';
import { backendConformance } from '@celeriac/core/testing';
import { redisForTests } from '@celeriac/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { RedisStore, createRedisStore } from '../src/index.js';
import { deleteKeys, uniquePrefix } from './helpers/redis.js';

// A RedisStore is also a ResultBackend, for a broker that keeps messages elsewhere (e.g. AMQP).
let server: Awaited<ReturnType<typeof redisForTests>>;
let admin: Redis;

beforeAll(async () => {
  server = await redisForTests();
  admin = new Redis(server.url);
});

afterAll(async () => {
  await admin.quit();
  await server.stop();
});

const prefixOf = (backend: ResultBackend): string => (backend as RedisStore).options.prefix;

backendConformance({
  name: 'RedisStore as a result backend',
  create: async () => createRedisStore({ connection: server.url, prefix: uniquePrefix('backend') }),
  destroy: async (backend: ResultBackend) => deleteKeys(admin, prefixOf(backend)),
  createPeer: async (backend: ResultBackend) => createRedisStore({ connection: server.url, prefix: prefixOf(backend) }),
});
