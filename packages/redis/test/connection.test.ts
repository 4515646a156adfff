import { Celeriac, InvalidOptionError } from '@celeriac/core';
import { freePort } from '@celeriac/test-support';
import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisUnavailableError, createRedisStore } from '../src/index.js';
import { redisApp, silentLogger } from './helpers/apps.js';
import { type TestRedis, deleteKeys, uniquePrefix, useRedisServer } from './helpers/redis.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

describe('connections', () => {
  it('fails with a clear error within connectTimeout when Redis is unreachable at start-up', { timeout: 20_000 }, async () => {
    const port = await freePort(); // nothing listens there
    const url = `redis://127.0.0.1:${port}`;
    const store = createRedisStore({ connection: url, connectTimeout: 400 });
    try {
      const started = Date.now();
      const error = await store.connect().catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(error).toBeInstanceOf(RedisUnavailableError);
      expect((error as RedisUnavailableError).code).toBe('REDIS_UNAVAILABLE');
      expect((error as Error).message).toContain(`127.0.0.1:${port}`);
      expect((error as Error).message).toContain('within 400 ms');
      await expect(store.apply({ id: 'x', task: 't', state: 'PENDING' })).rejects.toBeInstanceOf(RedisUnavailableError);
      const app = new Celeriac({ store, logger: silentLogger });
      app.task({ name: 'never' }, () => 1);
      await expect(app.worker().start()).rejects.toBeInstanceOf(RedisUnavailableError);
      await expect(app.send('never')).rejects.toBeInstanceOf(RedisUnavailableError);
    } finally {
      const closing = Date.now();
      await store.close();
      expect(Date.now() - closing).toBeLessThan(2_000);
    }
  });

  it('fails with a clear error within connectTimeout when no cluster node or sentinel answers at start-up', { timeout: 20_000 }, async () => {
    const port = await freePort(); // nothing listens there
    const stores = [
      createRedisStore({ connection: { cluster: [{ host: '127.0.0.1', port }] }, connectTimeout: 400 }),
      createRedisStore({ connection: { sentinels: [{ host: '127.0.0.1', port }], name: 'celeriac' }, connectTimeout: 400 }),
    ];
    try {
      const [cluster, sentinel] = await Promise.all(stores.map((store) => store.connect().catch((e: unknown) => e)));
      expect(cluster).toBeInstanceOf(RedisUnavailableError);
      expect((cluster as Error).message).toContain(`the Redis Cluster with the start-up nodes 127.0.0.1:${port} within 400 ms`);
      expect(sentinel).toBeInstanceOf(RedisUnavailableError);
      expect((sentinel as Error).message).toContain(`the master "celeriac" of the sentinels 127.0.0.1:${port} within 400 ms`);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('never closes an ioredis instance it was given, and closes the ones it made', async () => {
    const given = new Redis(server.url);
    const prefix = uniquePrefix('given');
    const store = createRedisStore({ connection: given, prefix });
    const own = createRedisStore({ connection: server.url, prefix });
    await store.apply({ id: 'g1', task: 't', state: 'PENDING' });
    await store.subscribe('g1', () => undefined);
    await own.apply({ id: 'g2', task: 't', state: 'PENDING' });
    await Promise.all([store.close(), own.close()]);
    expect(given.status).toBe('ready');
    expect(await given.get(`{${prefix}}:rec:g1`)).toContain('PENDING');
    await deleteKeys(given, prefix);
    await given.quit();
  });

  it('shares one command and one pub/sub connection per process among many waits', { timeout: 20_000 }, async () => {
    const prefix = uniquePrefix('share');
    const clients = async () => String(await admin.call('CLIENT', 'LIST')).trim().split('\n').length;
    const before = await clients();
    const { app, close } = redisApp({ connection: server.url, prefix });
    try {
      const double = app.task({ name: 'share.double' }, (n: number) => n * 2);
      const results = await Promise.all(Array.from({ length: 50 }, (_, n) => double.delay(n)));
      const waits = results.map((r) => r.wait({ timeout: 10_000 }));
      await app.worker({ concurrency: 10 }).start();
      expect(await Promise.all(waits)).toEqual(results.map((_, n) => n * 2));
      const during = await clients();
      expect(during - before).toBe(2);
    } finally {
      await close();
      await deleteKeys(admin, prefix);
    }
  });
});

describe('options', () => {
  it('are checked eagerly, naming the option', () => {
    const bad: [() => unknown, string][] = [
      [() => createRedisStore({ visibilityTimeout: 0 }), 'visibilityTimeout'],
      [() => createRedisStore({ visibilityTimeout: 1_000, heartbeatInterval: 1_000 }), 'heartbeatInterval'],
      [() => createRedisStore({ prefix: 'a{b}' }), 'prefix'],
      [() => createRedisStore({ connection: 'http://localhost' }), 'connection'],
      [() => createRedisStore({ visibilityTimout: 5 } as never), 'visibilityTimout'],
      [() => createRedisStore({ resultTtl: -1 }), 'resultTtl'],
      [() => createRedisStore({ maxBatch: 1.5 }), 'maxBatch'],
      [() => createRedisStore('redis://x' as never), 'options'],
      [() => createRedisStore({ tuning: { handOf: false } as never }), 'tuning.handOf'],
      [() => createRedisStore({ tuning: { shortPaths: 'no' } as never }), 'tuning.shortPaths'],
      // Cluster start-up nodes
      [() => createRedisStore({ connection: { cluster: [] } }), 'connection.cluster'],
      [() => createRedisStore({ connection: { cluster: [{ host: 'a', port: 70_000 }] } }), 'connection.cluster[0].port'],
      [() => createRedisStore({ connection: { cluster: [{ host: 'a', port: 7000 }, null] } as never }), 'connection.cluster[1]'],
      [() => createRedisStore({ connection: { cluster: [7000], nodes: [] } as never }), 'connection.nodes'],
      [() => createRedisStore({ connection: { cluster: [7000], options: { scaleReads: 'slave' } } }), 'connection.options.scaleReads'],
      [() => createRedisStore({ connection: new Cluster([7000], { lazyConnect: true, scaleReads: 'all' }) }), 'connection'],
      // Sentinel
      [() => createRedisStore({ connection: { sentinels: [], name: 'm' } }), 'connection.sentinels'],
      [() => createRedisStore({ connection: { sentinels: [{ host: 'a', port: 0 }], name: 'm' } }), 'connection.sentinels[0].port'],
      [() => createRedisStore({ connection: { sentinels: [{ host: 'a', port: 26379 }] } as never }), 'connection.name'],
      [() => createRedisStore({ connection: { sentinels: [{ host: 'a', port: 26379 }], name: 'm', role: 'slave' } }), 'connection.role'],
      // Durable enqueues
      [() => createRedisStore({ durable: { replicas: 0, timeout: 1_000 } }), 'durable.replicas'],
      [() => createRedisStore({ durable: { replicas: 1 } as never }), 'durable.timeout'],
      [() => createRedisStore({ durable: { replicas: 1, timeout: 1_000, wait: true } as never }), 'durable.wait'],
      [() => createRedisStore({ durable: true as never }), 'durable'],
    ];
    for (const [make, option] of bad) {
      let error: unknown;
      try {
        make();
      } catch (e) {
        error = e;
      }
      expect(error, option).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe(option);
    }
  });
});
