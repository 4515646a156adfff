import { Celeriac, TaskStates } from '@celeriac/core';
import { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { brokerKeys } from '../src/internal/keys.js';
import { SCRIPTS } from '../src/internal/scripts.js';
import { silentLogger } from './helpers/apps.js';
import { type TestRedis, countScriptCalls, deleteKeys, uniquePrefix, useCleanups, useRedisServer } from './helpers/redis.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

const TASK = 'handoff.echo';
const REQUEST = { queues: ['default'], tasks: [TASK], max: 1, waitMs: 5_000 };

const cleanups = useCleanups();

/** An app on a connection of ours that counts its reserve script calls, with its store. */
function countingApp(options: { rateLimited?: boolean } = {}) {
  const prefix = uniquePrefix('handoff');
  const client = new Redis(server.url);
  const reserveCalls = countScriptCalls(client, SCRIPTS.reserveJobs);
  const store = createRedisStore({ connection: client, prefix });
  const app = new Celeriac({ store, logger: silentLogger });
  const echo = app.task({ name: TASK }, (x: number) => x);
  const request = options.rateLimited ? { ...REQUEST, rateLimits: { [TASK]: { limit: 100, intervalMs: 1_000 } } } : REQUEST;
  cleanups.push(async () => {
    await app.close();
    await store.close();
    client.disconnect();
    await deleteKeys(admin, prefix);
  });
  return { prefix, app, echo, store, reserveCalls, request };
}

/** A reserve that found nothing and sleeps (parked), with the reserve calls it made so far. */
async function parkedReserve(opened: ReturnType<typeof countingApp>, signal?: AbortSignal) {
  // A first reserve subscribes to the queue's wake-ups, so later ones make one call, then sleep.
  expect(await opened.store.reserve({ ...opened.request, waitMs: 10 })).toEqual([]);
  const before = opened.reserveCalls();
  const reserving = opened.store.reserve(signal === undefined ? opened.request : { ...opened.request, signal });
  await vi.waitFor(() => expect(opened.reserveCalls()).toBeGreaterThan(before));
  await new Promise((resolve) => setTimeout(resolve, 50)); // past its look, asleep
  // Counted from here: on a loaded machine the reserve sometimes takes a second look before it
  // sleeps; what these tests count is the calls the enqueue causes.
  const parked = opened.reserveCalls() - 1;
  return { reserving, calls: () => opened.reserveCalls() - parked };
}

describe('an enqueue while a reserve of the same process sleeps for work', () => {
  it('hands the task straight to it: leased and STARTED in the enqueue, with no wake-up and no reserve call', async () => {
    const opened = countingApp();
    const { reserving, calls } = await parkedReserve(opened);
    const { id } = await opened.echo.delay(7);
    const [delivery, ...rest] = await reserving;

    expect(rest).toEqual([]);
    expect(delivery?.message.id).toBe(id);
    expect(delivery?.deliveries).toBe(1);
    expect(delivery?.started).toMatchObject({ applied: true, record: { state: TaskStates.STARTED, seq: 2 } });
    expect(calls()).toBe(1);
    // Leased under its receipt, in no ready zset, STARTED as a reader sees it.
    const keys = brokerKeys(opened.prefix);
    expect(await admin.zscore(keys.leases, delivery?.receipt as string)).not.toBeNull();
    expect(await opened.store.size('default')).toBe(0);
    expect(await opened.store.get(id)).toMatchObject({ state: TaskStates.STARTED, seq: 2 });

    await opened.store.settle(delivery!, { id, state: TaskStates.SUCCESS, result: 7 });
    expect(await opened.app.result(id).wait({ timeout: 2_000 })).toBe(7);
    expect(await admin.zcard(keys.leases)).toBe(1); // only the encoding member is left
  });

  it('hands over at most its free slots, best priority first; the rest waits in the queue', async () => {
    const opened = countingApp();
    const { reserving, calls } = await parkedReserve(opened);
    // Sent in one turn of the event loop: one enqueue call.
    const [low, high, middle] = await Promise.all([1, 9, 5].map((priority) => opened.echo.applyAsync([priority], { priority })));
    const taken = await reserving;

    expect(taken.map((d) => d.message.id)).toEqual([high?.id]);
    expect(calls()).toBe(1);
    expect(await opened.store.size('default')).toBe(2);
    const next = await opened.store.reserve({ ...REQUEST, max: 5, waitMs: 0 });
    expect(next.map((d) => d.message.id)).toEqual([middle?.id, low?.id]);
  });

  it('wakes the other sleeping reserves of the process for what the claimed one has no slot for', async () => {
    const opened = countingApp();
    const first = await parkedReserve(opened);
    const second = opened.store.reserve(REQUEST);
    await new Promise((resolve) => setTimeout(resolve, 50)); // asleep too (the queue is known empty)
    const started = Date.now();
    const results = await opened.echo.bulk([[1], [2]]);
    const taken = [...(await first.reserving), ...(await second)].map((d) => d.message.id);
    expect(taken.sort()).toEqual(results.map((r) => r.id).sort());
    expect(Date.now() - started).toBeLessThan(2_000); // not the waitMs of 5 s
  });

  it('never hands over a rate-limited task: the reserve takes it, counted in its window', async () => {
    const opened = countingApp({ rateLimited: true });
    const { reserving, calls } = await parkedReserve(opened);
    const { id } = await opened.echo.delay(1);
    expect((await reserving).map((d) => d.message.id)).toEqual([id]);
    expect(calls()).toBe(2);
  });

  it('hands back what comes after its caller gave up: PENDING again and back in the queue', async () => {
    const opened = countingApp();
    const controller = new AbortController();
    const { reserving } = await parkedReserve(opened, controller.signal);
    // The enqueue claims the sleeping reserve as it is sent; Redis answers only after the abort.
    await admin.client('PAUSE', 300, 'WRITE');
    const delayed = opened.echo.delay(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    expect(await reserving).toEqual([]);

    const { id } = await delayed;
    await vi.waitFor(async () => expect(await opened.store.size('default')).toBe(1), { timeout: 3_000 });
    expect(await opened.store.get(id)).toMatchObject({ state: TaskStates.PENDING, meta: { reason: 'handed back before it ran' } });
    const [again] = await opened.store.reserve({ ...REQUEST, waitMs: 0 });
    expect(again?.message.id).toBe(id);
    expect(again?.deliveries).toBe(1);
  });
});
