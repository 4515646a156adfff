import type { StartedDelivery } from '@celeriac/core/adapter';
import { makeMessage } from '@celeriac/core/testing';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { type RedisStore, type RedisStoreOptions, createRedisStore } from '../src/index.js';
import { backendKeys, brokerKeys } from '../src/internal/keys.js';
import { redisApp } from './helpers/apps.js';
import { type TestRedis, deleteKeys, uniquePrefix, until, useCleanups, useRedisServer } from './helpers/redis.js';

// A settle keeps a finished task's message in `{p}:body` for its record instead of copying it into
// the record; the message stops being waiting, running or dead when its `{p}:meta` field goes, and
// its body goes when the task's entry leaves its finished list (lua/includes/taskLists.lua).

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});
const cleanups = useCleanups();

function openStore(options: Omit<RedisStoreOptions, 'connection' | 'prefix'> = {}): { store: RedisStore; prefix: string } {
  const prefix = uniquePrefix('kept');
  const store = createRedisStore({ connection: server.url, prefix, ...options });
  cleanups.push(async () => {
    await store.close();
    await deleteKeys(admin, prefix);
  });
  return { store, prefix };
}

// Waits for work (a reserve that took the last message lets the next one sleep until a wake-up).
const RESERVE = { queues: ['default'], tasks: ['test.noop'], waitMs: 5_000, worker: 'w-1' };

/** Enqueues `n` messages (args [i]), reserves them and settles them all in one turn with `state`: settleOne for one, settleShaped for more. */
async function finish(store: RedisStore, n: number, state: 'SUCCESS' | 'FAILURE' = 'SUCCESS'): Promise<string[]> {
  const messages = Array.from({ length: n }, (_, i) => makeMessage({ args: [i] }));
  await store.enqueue(messages);
  const deliveries = await store.reserve({ ...RESERVE, max: n });
  expect(deliveries).toHaveLength(n);
  await Promise.all(deliveries.map((d) => settle(store, d, state)));
  return messages.map((m) => m.id);
}

function settle(store: RedisStore, d: StartedDelivery, state: 'SUCCESS' | 'FAILURE') {
  const outcome = state === 'SUCCESS' ? { result: 1 } : { error: { type: 'Error', message: 'boom' } };
  return store.settle(d, { id: d.message.id, state, attempt: d.message.attempt, task: d.message.task, ...outcome });
}

async function kept(prefix: string, ids: readonly string[]): Promise<boolean[]> {
  return (await admin.hmget(brokerKeys(prefix).body, ...ids)).map((raw) => raw !== null);
}

describe('a finished task keeps its message in the body hash, for its record', () => {
  it('whichever settle script finishes it: the record names the run alone, the routing goes, the view shows the arguments', async () => {
    for (const shortPaths of [true, false]) {
      const { store, prefix } = openStore({ tuning: { shortPaths } });
      const k = brokerKeys(prefix);
      const ids = [...(await finish(store, 1)), ...(await finish(store, 3))];
      for (const [i, id] of ids.entries()) {
        const stored = (await admin.get(backendKeys(prefix).record(id))) as string;
        expect(stored.split('\n').at(-1)).toMatch(/^R\d+,"worker":"w-1"$/); // no copy of the message
        const view = await store.viewTask(id);
        expect(view).toMatchObject({ state: 'SUCCESS', args: [i === 0 ? 0 : i - 1], queue: 'default', worker: 'w-1' });
        expect(view?.timeline.map((e) => e.state)).toEqual(['PENDING', 'STARTED', 'SUCCESS']);
      }
      expect(await kept(prefix, ids)).toEqual([true, true, true, true]);
      for (const hash of [k.meta, k.run, k.dlv]) expect(await admin.hmget(hash, ...ids)).toEqual([null, null, null, null]);
      // Finished, so neither waiting nor running: the live listing reads the meta hash, not the bodies.
      expect(await store.taskCounts()).toMatchObject({ PENDING: 0, STARTED: 0, SUCCESS: 4 });
      expect(await store.listTasks({ state: 'PENDING', limit: 10, offset: 0 })).toEqual([]);
    }
  });

  it('through an app and its worker, app.tasks.view shows a finished task with its arguments', { timeout: 10_000 }, async () => {
    const prefix = uniquePrefix('keptapp');
    const { app, close } = redisApp({ connection: server.url, prefix });
    cleanups.push(async () => {
      await close();
      await deleteKeys(admin, prefix);
    });
    const add = app.task({ name: 'kept.add' }, (a: number, b: { n: number }) => a + b.n);
    const worker = app.worker({ concurrency: 4 });
    await worker.start();
    const results = await add.bulk([[1, { n: 2 }], [3, { n: 4 }]]);
    expect(await Promise.all(results.map((r) => r.get({ timeout: 5_000 })))).toEqual([3, 7]);
    await until(async () => (await admin.hlen(brokerKeys(prefix).meta)) <= 1, 5_000, 'the deliveries to be settled');
    expect(await app.tasks.view(results[1]?.id as string)).toMatchObject({ state: 'SUCCESS', result: 7, args: [3, { n: 4 }], queue: 'default' });
  });
});

describe('a kept body goes when its task leaves its finished list', () => {
  it('by the count bound: only the listed tasks keep their bodies, nothing else is left', { timeout: 20_000 }, async () => {
    const { store, prefix } = openStore({ taskListLimit: 10 });
    const ids: string[] = [];
    for (let round = 0; round < 8; round++) ids.push(...(await finish(store, round % 2 === 0 ? 1 : 20)));
    await store.taskCounts(); // an admin read applies the bounds exactly
    const listed = new Set((await store.listTasks({ state: 'SUCCESS', limit: 100, offset: 0 })).map((r) => r.id));
    expect(listed.size).toBe(10);
    expect(await kept(prefix, ids)).toEqual(ids.map((id) => listed.has(id)));
    // The body hash holds the listed tasks' bodies and its encoding field (lua/includes/bulk.lua), nothing more.
    expect(await admin.hlen(brokerKeys(prefix).body)).toBe(10 + 1);
    // A task trimmed out keeps its record until resultTtl, its message gone with its entry.
    const trimmed = ids[0] as string;
    expect(await store.viewTask(trimmed)).toMatchObject({ state: 'SUCCESS', args: null });
  });

  it('by the settles that trim as they list, without an admin read', { timeout: 20_000 }, async () => {
    const { store, prefix } = openStore({ taskListLimit: 5 });
    const ids: string[] = [];
    for (let round = 0; round < 10; round++) ids.push(...(await finish(store, 20)));
    // 200 finished: every 64 a settle trims to 5, so at most 5 + 64 + 20 bodies stay.
    expect((await kept(prefix, ids)).filter(Boolean).length).toBeLessThanOrEqual(5 + 64 + 20);
    expect(await kept(prefix, ids.slice(0, 100))).toEqual(Array(100).fill(false));
  });

  it('at its record expiry: a body left until the next trim implies nothing, and then goes', { timeout: 20_000 }, async () => {
    const { store, prefix } = openStore({ resultTtl: 300 });
    const ids = await finish(store, 3);
    const [id] = ids as [string];
    await until(async () => (await admin.exists(...ids.map((i) => backendKeys(prefix).record(i)))) === 0, 10_000, 'the records to expire');
    // The records are gone and no trim has run since: the bodies are still there, but say nothing.
    expect(await kept(prefix, ids)).toEqual([true, true, true]);
    expect(await store.get(id)).toBeNull();
    expect(await store.viewTask(id)).toBeNull();
    // No PENDING implied by a body alone: a record may be created for the id afresh (and the old
    // body, no live message's, still goes).
    const [, other] = ids as [string, string];
    expect(await store.apply({ id: other, task: 'test.noop', state: 'PENDING', attempt: 1, create: true })).toMatchObject({ applied: true, record: { seq: 1 } });
    expect(await store.taskCounts()).toMatchObject({ SUCCESS: 0 }); // that read trims the lists
    expect(await kept(prefix, ids)).toEqual([false, false, false]);
    expect(await admin.hlen(brokerKeys(prefix).body)).toBe(1); // the encoding field alone (lua/includes/bulk.lua)
  });

  it('but not a body a newer use of the id owns: the id enqueued again after its record expired', { timeout: 20_000 }, async () => {
    const { store, prefix } = openStore({ resultTtl: 300 });
    const [id] = (await finish(store, 1)) as [string];
    await until(async () => (await admin.exists(backendKeys(prefix).record(id))) === 0, 10_000, 'the record to expire');
    // Free again, as before bodies were kept: a record is what makes an id in use.
    const again = makeMessage({ id, args: ['again'] });
    expect(await store.enqueue([again])).toMatchObject([{ applied: true, record: { state: 'PENDING', seq: 1 } }]);
    await store.taskCounts(); // trims the first run's entry
    expect(await store.viewTask(id)).toMatchObject({ state: 'PENDING', args: ['again'] });
    const [d] = await store.reserve({ ...RESERVE, max: 1 });
    expect(d?.message.args).toEqual(['again']);
  });

  it('or when the task is forgotten', async () => {
    const { store, prefix } = openStore();
    const [id] = (await finish(store, 1)) as [string];
    await store.forget(id);
    expect(await kept(prefix, [id])).toEqual([false]);
    expect(await admin.llen(backendKeys(prefix).taskLists[0])).toBe(0);
  });
});

describe('a finished id whose body is kept', () => {
  it('is still in use: an enqueue of it is refused with its record, an inbox message of it is dead-lettered', { timeout: 10_000 }, async () => {
    const { store, prefix } = openStore();
    const [id] = (await finish(store, 1)) as [string];
    expect(await store.enqueue([makeMessage({ id, args: ['twice'] })])).toMatchObject([{ applied: false, current: { state: 'SUCCESS' } }]);
    await admin.rpush(store.inboxKey('default'), JSON.stringify(makeMessage({ id, args: ['foreign'] })));
    await store.reserve({ ...RESERVE, max: 1, waitMs: 100 }); // an inbox push wakes nobody: the reserve looks after its wait
    await until(async () => (await store.deadLetters()).length === 1, 5_000, 'the inbox message to be dead-lettered');
    expect((await store.deadLetters())[0]?.reason).toMatch(/already in use/);
    expect(await store.viewTask(id)).toMatchObject({ state: 'SUCCESS', args: [0] });
    expect(await kept(prefix, [id])).toEqual([true]);
  });

  it('an app refuses it as a taskId, as it refuses any finished id', { timeout: 10_000 }, async () => {
    const prefix = uniquePrefix('keptid');
    const { app, store, close } = redisApp({ connection: server.url, prefix });
    cleanups.push(async () => {
      await close();
      await deleteKeys(admin, prefix);
    });
    const echo = app.task({ name: 'test.noop' }, (x: number) => x);
    const [id] = (await finish(store, 1)) as [string];
    await expect(echo.applyAsync([5], { taskId: id })).rejects.toThrow(/already in use/);
  });

  it('is not revoked: its record and arguments stay', async () => {
    const prefix = uniquePrefix('keptrevoke');
    const { app, store, close } = redisApp({ connection: server.url, prefix });
    cleanups.push(async () => {
      await close();
      await deleteKeys(admin, prefix);
    });
    const [id] = (await finish(store, 1)) as [string];
    expect(await app.revoke(id)).toBe('finished');
    expect(await app.tasks.view(id)).toMatchObject({ state: 'SUCCESS', args: [0] });
    expect(await kept(prefix, [id])).toEqual([true]);
  });

  it('retried after a FAILURE: runs again with its arguments, its record taking its first message along', async () => {
    const { store, prefix } = openStore();
    const [id] = (await finish(store, 1, 'FAILURE')) as [string];
    expect(await kept(prefix, [id])).toEqual([true]);
    expect(await store.retryTask(id)).toBe(true);
    expect(await admin.llen(backendKeys(prefix).taskLists[1])).toBe(0);
    // The record's first line holds the first run's message now: the body is the new attempt's.
    expect(((await admin.get(backendKeys(prefix).record(id))) as string).split('\n').at(-1)).toMatch(/^R\d+,"worker":"w-1"\t\{"createdAt":\d+,"task":"test.noop","args":\[0\]\}$/);
    const [d] = await store.reserve({ ...RESERVE, max: 1 });
    expect(d?.message).toMatchObject({ id, args: [0], attempt: 2 });
    await settle(store, d as StartedDelivery, 'SUCCESS');
    const view = await store.viewTask(id);
    expect(view).toMatchObject({ state: 'SUCCESS', attempt: 2, args: [0] });
    expect(view?.timeline.map((e) => `${e.state} ${e.attempt}`)).toEqual(['PENDING 1', 'STARTED 1', 'FAILURE 1', 'PENDING 2', 'STARTED 2', 'SUCCESS 2']);
  });
});
