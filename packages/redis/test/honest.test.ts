import { Celeriac, EnqueueTimeoutError, type Logger, MessageTooLargeError, SerializationError, type TaskStore, UnknownTaskError, WaitTimeoutError } from '@celeriac/core';
import { MemoryStore } from '@celeriac/memory';
import { startRedisServer } from '@celeriac/test-support';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { type TestRedis, deleteKeys, uniquePrefix, until, useCleanups, useRedisServer } from './helpers/redis.js';

// Issue 25, "nothing lost, nothing misleading": the same scenarios on the memory store and on a real Redis.

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});
const cleanups = useCleanups();

/** A logger that keeps its warnings. */
function recordingLogger() {
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (message) => warnings.push(message), error() {} };
  return { logger, warnings };
}

const stores: [string, () => TaskStore][] = [
  ['memory', () => new MemoryStore()],
  [
    'redis',
    () => {
      const prefix = uniquePrefix('honest');
      cleanups.push(() => deleteKeys(admin, prefix));
      return createRedisStore({ connection: server.url, prefix });
    },
  ],
];

function open(makeStore: () => TaskStore, options: { maxMessageSize?: number; maxNestingDepth?: number } = {}) {
  const store = makeStore();
  const { logger, warnings } = recordingLogger();
  const app = new Celeriac({ store, logger, ...options });
  cleanups.unshift(async () => {
    await app.close();
    await store.close();
  });
  return { app, store, warnings };
}

describe.each(stores)('on the %s store', (_name, makeStore) => {
  it('an id with no record is unknown: exists() says so and wait() rejects at once with UnknownTaskError', async () => {
    const { app } = open(makeStore);
    const echo = app.task({ name: 'honest.echo' }, (x: number) => x);
    const made = app.result('made-up-id');
    expect(await made.exists()).toBe(false);
    const started = Date.now();
    const error = await made.wait({ timeout: 10_000 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(UnknownTaskError);
    expect((error as UnknownTaskError).code).toBe('UNKNOWN_TASK');
    expect((error as UnknownTaskError).taskId).toBe('made-up-id');

    const real = await echo.delay(1);
    expect(await app.result(real.id).exists()).toBe(true);
    expect(real.state).toBe('PENDING');
    await app.worker({ pollInterval: 50 }).start();
    expect(await real.wait({ timeout: 5_000 })).toBe(1);
    // A finished task whose record is forgotten is unknown again.
    await real.forget();
    await expect(app.result(real.id).wait({ timeout: 5_000 })).rejects.toBeInstanceOf(UnknownTaskError);
  });

  it('a wait that times out says the task is PENDING and no live worker serves it, and the producer was warned once', async () => {
    const { app, warnings } = open(makeStore);
    const orphan = app.task({ name: 'honest.orphan' }, () => 1);
    const result = await orphan.delay();
    await orphan.delay();
    const error = await result.wait({ timeout: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toContain('it is PENDING and no live worker serves honest.orphan');
    expect((error as Error).message).not.toContain('keeps running');
    await until(() => warnings.length > 0, 2_000, 'the warning');
    expect(warnings).toEqual(['no live worker serves task honest.orphan at the moment: its tasks stay PENDING until a worker that registers it starts']);
  });

  it('a wait that times out on a served task says it waits for a free worker, or that it has started', async () => {
    const { app, warnings } = open(makeStore);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = app.task({ name: 'honest.slow' }, async () => {
      await gate;
      return 'done';
    });
    await app.worker({ concurrency: 1, pollInterval: 50 }).start();
    const first = await slow.delay();
    const second = await slow.delay();
    await until(async () => (await first.refresh()).state === 'STARTED', 5_000, 'the first task to start');
    const running = await first.wait({ timeout: 100 }).catch((e: unknown) => e);
    expect((running as Error).message).toContain('it is STARTED');
    const waiting = await second.wait({ timeout: 100 }).catch((e: unknown) => e);
    expect((waiting as Error).message).toMatch(/it is PENDING, waiting for a free worker \(honest\.slow is served, e\.g\. by .+:\d+:/);
    release();
    expect(await second.wait({ timeout: 5_000 })).toBe('done');
    expect(warnings).toEqual([]);
  });

  it('refuses oversized and deeply nested arguments at delay(), with nothing enqueued', async () => {
    const { app, store } = open(makeStore, { maxMessageSize: 10_000 });
    const take = app.task({ name: 'honest.take' }, (_x: unknown) => 1);
    const big = await take.delay('x'.repeat(20_000)).catch((e: unknown) => e);
    expect(big).toBeInstanceOf(MessageTooLargeError);
    expect((big as MessageTooLargeError).code).toBe('MESSAGE_TOO_LARGE');
    expect((big as Error).message).toContain('larger than 10000 characters of JSON');

    let deep: unknown = 1;
    for (let i = 0; i < 5_000; i++) deep = [deep];
    const nested = await take.delay(deep).catch((e: unknown) => e);
    expect(nested).toBeInstanceOf(SerializationError);
    expect((nested as Error).message).toContain('is nested more than 64 levels deep');
    // In a bulk, one bad call refuses all.
    await expect(take.bulk([[1], ['y'.repeat(20_000)]])).rejects.toThrow('The arguments of honest.take (call 1) are larger than 10000');
    expect(await store.size('default')).toBe(0);
    // Just under the limits goes through.
    let ok: unknown = 1;
    for (let i = 0; i < 62; i++) ok = [ok];
    await take.delay(ok);
    expect(await store.size('default')).toBe(1);
  });
});

describe('on Redis', () => {
  it('dead-letters a foreign message nested deeper than any app may send, instead of running it', async () => {
    const prefix = uniquePrefix('honest-foreign');
    cleanups.push(() => deleteKeys(admin, prefix));
    const store = createRedisStore({ connection: server.url, prefix });
    const app = new Celeriac({ store, logger: recordingLogger().logger });
    cleanups.unshift(async () => {
      await app.close();
      await store.close();
    });
    const ran: unknown[] = [];
    app.task({ name: 'honest.foreign' }, (x: unknown) => ran.push(x));
    await app.worker({ pollInterval: 50 }).start();
    const deep = `${'['.repeat(10_000)}1${']'.repeat(10_000)}`;
    const raw = `{"id":"foreign-1","task":"honest.foreign","args":[${deep}],"queue":"default","priority":0,"attempt":1,"createdAt":${Date.now()}}`;
    await admin.rpush(store.inboxKey('default'), raw);
    await until(async () => (await store.deadLetters()).length === 1, 5_000, 'the dead letter');
    expect((await store.deadLetters())[0]?.reason).toContain('is nested more than');
    expect(ran).toEqual([]);
  });

  it('refuses a database the server does not have at start-up, naming the option', async () => {
    const store = createRedisStore({ connection: `${server.url}/99`, connectTimeout: 2_000 });
    cleanups.unshift(() => store.close());
    const error = await store.connect().catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('INVALID_OPTION');
    expect((error as Error).message).toContain('option "connection" selects database 99');
    expect(() => createRedisStore({ connection: `${server.url}/db-two` })).toThrow('must name a database by its number');
  });

  it('delay() against a stopped Redis rejects with a retryable EnqueueTimeoutError within enqueueTimeout', { timeout: 30_000 }, async () => {
    const own = await startRedisServer();
    cleanups.push(() => own.stop());
    const store = createRedisStore({ connection: own.url, prefix: uniquePrefix('honest-outage') });
    const { logger, warnings } = recordingLogger();
    const app = new Celeriac({ store, logger, enqueueTimeout: 500 });
    cleanups.unshift(async () => {
      await app.close();
      await store.close();
    });
    const echo = app.task({ name: 'honest.outage' }, (x: number) => x);
    await echo.delay(1); // connected
    await own.kill();
    const started = Date.now();
    const error = await echo.applyAsync([2], { taskId: 'outage-2' }).catch((e: unknown) => e);
    const took = Date.now() - started;
    expect(error).toBeInstanceOf(EnqueueTimeoutError);
    expect(took).toBeGreaterThanOrEqual(450);
    expect(took).toBeLessThan(1_500);
    expect(error).toMatchObject({ code: 'ENQUEUE_TIMEOUT', retryable: true, mayHaveBeenEnqueued: true, taskIds: ['outage-2'] });
    // The command waited in the connection's queue: once Redis is back it is applied, and that is logged.
    await own.restart();
    await until(() => warnings.some((w) => w.includes('was accepted by the store after all')), 10_000, 'the late acceptance');
    expect(await app.result('outage-2').exists()).toBe(true);
    // Retrying with the same id is refused, so a retry never makes a second task.
    await expect(echo.applyAsync([2], { taskId: 'outage-2' })).rejects.toThrow('already in use');
  });
});
