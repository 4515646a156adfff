import { WaitTimeoutError } from '@celeriac/core';
import { makeMessage } from '@celeriac/core/testing';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { type RedisStore, createRedisStore } from '../src/index.js';
import { backendKeys, brokerKeys } from '../src/internal/keys.js';
import { redisApp } from './helpers/apps.js';
import { type TestRedis, deleteKeys, uniquePrefix, useCleanups, useRedisServer } from './helpers/redis.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});
const cleanups = useCleanups();

function openStore(options: { taskListLimit?: number; taskListTtl?: number; shortPaths?: boolean } = {}): { store: RedisStore; prefix: string } {
  const prefix = uniquePrefix('lists');
  const { shortPaths = true, ...retention } = options;
  const store = createRedisStore({ connection: server.url, prefix, ...retention, tuning: { shortPaths } });
  cleanups.push(async () => {
    await store.close();
    await deleteKeys(admin, prefix);
  });
  return { store, prefix };
}

/** Runs `n` tasks through reserve and settle, `batch` at a time (a batch of one shape takes settleShaped, one alone settleOne). */
async function finish(store: RedisStore, n: number, batch = 1): Promise<string[]> {
  const ids: string[] = [];
  for (let done = 0; done < n; done += batch) {
    const messages = Array.from({ length: Math.min(batch, n - done) }, () => makeMessage());
    await store.enqueue(messages);
    const deliveries = await store.reserve({ queues: ['default'], tasks: ['test.noop'], max: batch, waitMs: 0, worker: 'w-1' });
    await Promise.all(deliveries.map((d) => store.settle(d, { id: d.message.id, state: 'SUCCESS', attempt: 1, task: d.message.task, result: 1 })));
    ids.push(...messages.map((m) => m.id));
  }
  return ids;
}

describe('the finished lists on Redis: bounded as they are written', () => {
  it('a list never holds more than its bound plus one trimming step, whichever script settles', { timeout: 30_000 }, async () => {
    for (const [batch, shortPaths] of [[1, true], [20, true], [1, false]] as const) {
      const { store, prefix } = openStore({ taskListLimit: 10, shortPaths });
      const list = backendKeys(prefix).taskLists[0];
      let most = 0;
      for (let round = 0; round < 15; round++) {
        await finish(store, 20, batch);
        most = Math.max(most, await admin.llen(list));
      }
      // 300 finished: the scripts trim whenever the length crosses a multiple of 64.
      expect(most).toBeGreaterThan(10);
      expect(most).toBeLessThanOrEqual(10 + 64 + batch);
      expect((await store.taskCounts()).SUCCESS).toBe(10);
      expect(await admin.llen(list)).toBe(10); // an admin read trims to the bound itself
    }
  });

  it('entries older than taskListTtl are dropped by the next trim, from the oldest end', async () => {
    const { store, prefix } = openStore({ taskListTtl: 200 });
    const list = backendKeys(prefix).taskLists[0];
    const old = await finish(store, 40, 20);
    await new Promise((r) => setTimeout(r, 300));
    // 40 + 30 crosses 64: that settle's trim drops the 40 old ones, keeps the 30 new.
    const fresh = await finish(store, 30, 30);
    const entries = await admin.lrange(list, 0, -1);
    expect(entries).toHaveLength(30);
    expect(entries.map((e) => e.split(' ')[1]).sort()).toEqual([...fresh].sort());
    for (const id of old) expect(await store.get(id)).toMatchObject({ state: 'SUCCESS' }); // the records stay
  });

  it('forget drops a task from its list and its timeline; a retried task leaves the FAILURE list', async () => {
    const { store, prefix } = openStore();
    const keys = backendKeys(prefix);
    const [done] = await finish(store, 1);
    await store.forget(done as string);
    expect(await admin.llen(keys.taskLists[0])).toBe(0);
    const failed = makeMessage({ args: ['x'] });
    await store.enqueue([failed]);
    const [d] = await store.reserve({ queues: ['default'], tasks: ['test.noop'], max: 1, waitMs: 0, worker: 'w-1' });
    await store.settle(d!, { id: failed.id, state: 'FAILURE', attempt: 1, task: failed.task, error: { type: 'Error', message: 'boom' } });
    expect(await admin.llen(keys.taskLists[1])).toBe(1);
    expect(await store.retryTask(failed.id)).toBe(true);
    expect(await admin.llen(keys.taskLists[1])).toBe(0);
    expect((await store.listTasks({ state: 'PENDING', limit: 10, offset: 0 })).map((r) => r.id)).toEqual([failed.id]);
  });

  it('a finished record carries its run, and its message stays in the body hash: no key per task besides the record', async () => {
    const { store, prefix } = openStore();
    const [id] = await finish(store, 1);
    const stored = (await admin.get(backendKeys(prefix).record(id as string))) as string;
    const [, carried] = stored.split('\n').slice(-2);
    expect(carried).toMatch(/^R\d+,"worker":"w-1"$/);
    // The compact stored message: no id, no defaults (see message-fields.ts); no routing left.
    expect(await admin.hget(brokerKeys(prefix).body, id as string)).toMatch(/^\{"createdAt":\d+,"task":"test.noop","args":\[\]\}$/);
    expect(await admin.hget(brokerKeys(prefix).meta, id as string)).toBeNull();
    expect(await admin.exists(backendKeys(prefix).timeline(id as string))).toBe(0);
    expect(await store.get(id as string)).toMatchObject({ state: 'SUCCESS', worker: 'w-1', result: 1 });
  });
});

describe('finished tasks listed by queue on Redis', () => {
  it('reads the queue wherever the message is: the kept body, the line the record carries, a backend\'s remembered message', async () => {
    const { store, prefix } = openStore();
    // A `+` entry (the settle keeps the body) and an entry whose record carries its message (a progress report came first).
    const kept = makeMessage({ queue: 'mail' });
    const carried = makeMessage({ queue: 'mail' });
    const elsewhere = makeMessage();
    await store.enqueue([kept, carried, elsewhere]);
    for (const queue of ['mail', 'default']) {
      for (const d of await store.reserve({ queues: [queue], tasks: ['test.noop'], max: 10, waitMs: 0 })) {
        if (d.message.id === carried.id) await store.apply({ id: d.message.id, state: 'PROGRESS', meta: { n: 1 } }, d);
        await store.settle(d, { id: d.message.id, state: 'SUCCESS', attempt: 1, task: d.message.task });
      }
    }
    // As another broker's result backend (splitStore): the message is remembered in the task's timeline key.
    const remembered = makeMessage({ queue: 'mail' });
    await store.apply({ id: remembered.id, task: remembered.task, state: 'PENDING', create: true });
    await store.remember([remembered]);
    await store.apply({ id: remembered.id, state: 'STARTED', worker: 'w-1' });
    await store.apply({ id: remembered.id, state: 'SUCCESS' });
    const entries = await admin.lrange(backendKeys(prefix).taskLists[0], 0, -1);
    const entryOf = (id: string) => entries.find((e) => e.endsWith(` ${id}`));
    expect([kept, carried, remembered].map((m) => entryOf(m.id)?.startsWith('+'))).toEqual([true, false, false]);
    const list = async (queue: string) => (await store.listTasks({ state: 'SUCCESS', queue, limit: 10, offset: 0 })).map((r) => r.id).sort();
    expect(await list('mail')).toEqual([kept.id, carried.id, remembered.id].sort());
    expect(await list('default')).toEqual([elsewhere.id]);
    expect(await list('nowhere')).toEqual([]);
  });
});

describe('the worker in STARTED on Redis', () => {
  it('is filed with the implied start, stored with a stored STARTED, and kept by progress and the outcome', async () => {
    const { store, prefix } = openStore();
    const message = makeMessage();
    await store.enqueue([message]);
    const [d] = await store.reserve({ queues: ['default'], tasks: ['test.noop'], max: 1, waitMs: 0, worker: 'celeriac@host:1:ab' });
    expect(d?.started).toMatchObject({ applied: true, record: { state: 'STARTED', worker: 'celeriac@host:1:ab' } });
    expect(await admin.hget(brokerKeys(prefix).run, message.id)).toMatch(/^\d+,"worker":"celeriac@host:1:ab"$/);
    expect(await store.get(message.id)).toMatchObject({ state: 'STARTED', seq: 2, worker: 'celeriac@host:1:ab' });
    await store.apply({ id: message.id, state: 'PROGRESS', meta: { n: 1 } }, d);
    expect(await store.get(message.id)).toMatchObject({ state: 'PROGRESS', worker: 'celeriac@host:1:ab' });
    await store.settle(d!, { id: message.id, state: 'SUCCESS', attempt: 1, task: message.task });
    const view = await store.viewTask(message.id);
    expect(view?.timeline.map((t) => [t.state, t.worker])).toEqual([
      ['PENDING', undefined],
      ['STARTED', 'celeriac@host:1:ab'],
      ['PROGRESS', 'celeriac@host:1:ab'],
      ['SUCCESS', 'celeriac@host:1:ab'],
    ]);
  });

  it('names the worker of a task handed off to a sleeping reserve', async () => {
    const { store } = openStore();
    const sleeping = store.reserve({ queues: ['default'], tasks: ['test.noop'], max: 1, waitMs: 3_000, worker: 'w-parked' });
    await new Promise((r) => setTimeout(r, 100));
    const message = makeMessage();
    await store.enqueue([message], { freshIds: true });
    const [d] = await sleeping;
    expect(d?.message.id).toBe(message.id);
    expect(d?.started).toMatchObject({ applied: true, record: { state: 'STARTED', worker: 'w-parked' } });
    expect(await store.viewTask(message.id)).toMatchObject({ state: 'STARTED', worker: 'w-parked' });
  });

  it("a wait that times out on a running task names its worker, as on memory", { timeout: 10_000 }, async () => {
    const prefix = uniquePrefix('waitworker');
    const producer = redisApp({ connection: server.url, prefix });
    const workerSide = redisApp({ connection: server.url, prefix });
    cleanups.push(async () => {
      await producer.close();
      await workerSide.close();
      await deleteKeys(admin, prefix);
    });
    let release: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (release = resolve));
    for (const side of [producer, workerSide]) side.app.task({ name: 'slow.run' }, async () => running);
    const worker = workerSide.app.worker({ pollInterval: 50 });
    await worker.start();
    const result = await producer.app.send('slow.run', []);
    await new Promise((r) => setTimeout(r, 300));
    const error = await result.wait({ timeout: 100 }).catch((e: unknown) => e);
    release();
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toContain(`it is STARTED on worker ${worker.id}`);
    await result.wait({ timeout: 5_000 });
  });
});
