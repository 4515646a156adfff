import { randomUUID } from 'node:crypto';
import { InvalidOptionError, TaskStates } from '@celeriac/core';
import { type StartedDelivery, type TaskStore, partitionOfId } from '@celeriac/core/adapter';
import { makeMessage } from '@celeriac/core/testing';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { brokerKeys } from '../src/internal/keys.js';
import { partitionPrefixes } from '../src/internal/partition-tags.js';
import { slotOf } from '../src/internal/slot.js';
import { redisApp } from './helpers/apps.js';
import { eachPartition } from './helpers/partitions.js';
import { type TestRedis, deleteKeys, uniquePrefix, useCleanups, useRedisServer } from './helpers/redis.js';

// A store spread over partitions on one server: where tasks go, how workers take them (in turn,
// filling free slots, waking on any partition), and what stays global (rate limits, pauses).

let server: TestRedis;
let admin: Redis;
useRedisServer((started, client) => {
  server = started;
  admin = client;
});
const cleanups = useCleanups();

const N = 3;

function openStore(prefix = uniquePrefix('part'), extra: Parameters<typeof createRedisStore>[0] = {}): { store: TaskStore & { inboxKey(q: string, id?: string): string }; prefix: string } {
  const store = createRedisStore({ connection: server.url, prefix, partitions: N, ...extra });
  cleanups.push(async () => {
    await store.close();
    await eachPartition(prefix, N, (p) => deleteKeys(admin, p));
  });
  return { store, prefix };
}

/** A task id that lands in `partition` of N. */
function idIn(partition: number): string {
  for (;;) {
    const id = randomUUID();
    if (partitionOfId(id, N) === partition) return id;
  }
}

const request = { queues: ['default'], tasks: ['test.noop'], waitMs: 0 };

describe('a partitioned Redis store', () => {
  it('checks the option, naming it', () => {
    for (const bad of [0, 1.5, 257, '3']) {
      expect(() => createRedisStore({ connection: server.url, partitions: bad as number })).toThrow(InvalidOptionError);
      expect(() => createRedisStore({ connection: server.url, partitions: bad as number })).toThrow(/option "partitions" must be an integer from 1 to 256/);
    }
  });

  it('keeps partitions: 1 on the one {prefix} slot, and spreads 3 partitions over 3 tags in 3 thirds of the slot space', async () => {
    const single = uniquePrefix('one');
    const one = createRedisStore({ connection: server.url, prefix: single, partitions: 1 });
    cleanups.push(async () => {
      await one.close();
      await deleteKeys(admin, single);
    });
    await one.enqueue(Array.from({ length: 20 }, () => makeMessage()));
    expect((await admin.keys(`{${single}#*`)).length).toBe(0);
    expect((await admin.keys(`{${single}}:*`)).length).toBeGreaterThan(0);

    const { store, prefix } = openStore();
    const tags = partitionPrefixes(prefix, N);
    expect(tags[0]).toBe(prefix);
    expect(new Set(tags.map((tag) => Math.floor((slotOf(`{${tag}}`) * N) / 16_384))).size).toBe(N);
    await store.enqueue(Array.from({ length: 30 }, () => makeMessage()));
    const sizes = await Promise.all(tags.map((tag) => admin.hlen(brokerKeys(tag).meta)));
    for (const size of sizes) expect(size).toBeGreaterThan(1); // each holds some (and its encoding field)
    expect(await store.size('default')).toBe(30);
  });

  it('serves the partitions in turn, one reserve after another, and fills free slots from the next ones', async () => {
    const { store } = openStore();
    const ids = [0, 1, 2].flatMap((p) => [idIn(p), idIn(p)]);
    await store.enqueue(ids.map((id) => makeMessage({ id })));
    const served: number[] = [];
    for (let i = 0; i < 3; i++) {
      const [delivery] = await store.reserve({ ...request, max: 1 });
      served.push(partitionOfId(delivery?.message.id ?? '', N));
    }
    expect(new Set(served)).toEqual(new Set([0, 1, 2]));
    // Three left, one per partition: one reserve of 3 free slots takes them all.
    expect(await store.reserve({ ...request, max: 3 })).toHaveLength(3);
  });

  it('wakes a waiting reserve for work published in any partition by another process', { timeout: 20_000 }, async () => {
    const { store, prefix } = openStore();
    const producer = createRedisStore({ connection: server.url, prefix, partitions: N });
    cleanups.unshift(() => producer.close());
    for (const partition of [2, 1, 0]) {
      const id = idIn(partition);
      const waiting = store.reserve({ ...request, max: 1, waitMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 100)); // asleep by now
      const sent = Date.now();
      await producer.enqueue([makeMessage({ id })]);
      const [delivery] = await waiting;
      expect(delivery?.message.id).toBe(id);
      expect(Date.now() - sent).toBeLessThan(1_000);
    }
  });

  it('keeps a rate limit across all partitions: never more than the limit in any window, whichever worker starts them', { timeout: 30_000 }, async () => {
    const { store, prefix } = openStore();
    const peer = createRedisStore({ connection: server.url, prefix, partitions: N });
    cleanups.unshift(() => peer.close());
    const limit = 4;
    const intervalMs = 600;
    const ids = [0, 1, 2].flatMap((p) => Array.from({ length: 5 }, () => idIn(p)));
    await store.enqueue(ids.map((id) => makeMessage({ id })));
    const starts: number[] = [];
    const work = async (s: TaskStore) => {
      while (starts.length < ids.length) {
        const taken = await s.reserve({ ...request, max: 10, waitMs: 200, rateLimits: { 'test.noop': { limit, intervalMs } } });
        for (const d of taken) {
          starts.push((d.started as { record: { updatedAt: number } }).record.updatedAt);
          await s.settle(d, { id: d.message.id, state: TaskStates.SUCCESS, result: null });
        }
      }
    };
    await Promise.all([work(store), work(store), work(peer), work(peer)]);
    expect(starts).toHaveLength(ids.length);
    starts.sort((a, b) => a - b);
    // Starts are timed by the reserve, a few ms after the window granted them: allow that much.
    const window = intervalMs - 30;
    for (const t of starts) expect(starts.filter((s) => s >= t && s < t + window).length).toBeLessThanOrEqual(limit);
    expect((starts.at(-1) as number) - (starts[0] as number)).toBeGreaterThanOrEqual(intervalMs * 3 - 30); // 15 starts at 4 per window
  });

  it('starts rate-limited work as soon as the window allows, though the reserve may wait long', { timeout: 30_000 }, async () => {
    const { store } = openStore();
    // More in one partition than a window lets through: it is not drained when the window is full.
    const ids = [0, 0, 0, 0, 0, 2].map(idIn);
    await store.enqueue(ids.map((id) => makeMessage({ id })));
    const started = Date.now();
    let taken = 0;
    while (taken < ids.length) {
      const batch = await store.reserve({ ...request, max: 10, waitMs: 20_000, rateLimits: { 'test.noop': { limit: 2, intervalMs: 400 } } });
      for (const d of batch) await store.ack(d);
      taken += batch.length;
    }
    // 6 starts at 2 per 400 ms: two full windows of waiting, not a reserve's whole waitMs.
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('returns what it took when a later partition fails, and leaves the error to a reserve that took nothing', async () => {
    const { store, prefix } = openStore();
    const ids = [idIn(0), idIn(0)];
    await store.enqueue(ids.map((id) => makeMessage({ id })));
    // Partition 1's reserve script now fails (WRONGTYPE on its paused-queues set).
    await admin.set(brokerKeys(partitionPrefixes(prefix, N)[1] as string).paused, 'not a set');
    const got: string[] = [];
    let errors = 0;
    for (let i = 0; i < N; i++) {
      // Each reserve starts at the next partition: one of them takes partition 0's tasks before partition 1 fails.
      try {
        got.push(...(await store.reserve({ ...request, max: 10 })).map((d) => d.message.id));
      } catch {
        errors++;
      }
    }
    expect(got.sort()).toEqual([...ids].sort());
    expect(errors).toBeGreaterThan(0);
  });

  it('pauses a queue in every partition, and resuming wakes a waiting reserve', { timeout: 20_000 }, async () => {
    const { store } = openStore();
    await store.pauseQueue('default', true);
    await store.enqueue([0, 1, 2].map((p) => makeMessage({ id: idIn(p) })));
    expect(await store.reserve({ ...request, max: 10 })).toEqual([]);
    expect((await store.queues()).find((q) => q.name === 'default')).toMatchObject({ waiting: 3, paused: true });
    const waiting = store.reserve({ ...request, max: 10, waitMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await store.pauseQueue('default', false);
    const taken: StartedDelivery[] = await waiting;
    expect(taken.length).toBeGreaterThan(0);
  });

  it('keeps the order of the tasks of one partitionKey, whatever else is queued', async () => {
    const { store, prefix } = openStore();
    const { app, close } = redisApp({ connection: server.url, prefix, partitions: N });
    cleanups.unshift(close);
    const keyed: string[] = [];
    for (let i = 0; i < 12; i++) {
      keyed.push((await app.send('test.noop', [i], { partitionKey: 'account-42' })).id);
      await app.send('test.noop', [i]); // others, spread over every partition
    }
    expect(new Set(keyed.map((id) => partitionOfId(id, N))).size).toBe(1);
    const order: string[] = [];
    for (;;) {
      const [d] = await store.reserve({ ...request, max: 1 });
      if (d === undefined) break;
      if (keyed.includes(d.message.id)) order.push(d.message.id);
      await store.ack(d);
    }
    expect(order).toEqual(keyed);
  });

  it('names each partition its own inbox, and dead-letters a message pushed to the wrong one', async () => {
    const { store } = openStore();
    expect(() => store.inboxKey('default')).toThrow(/give the task id/);
    const right = makeMessage({ id: idIn(1) });
    const wrong = makeMessage({ id: idIn(2) });
    await admin.rpush(store.inboxKey('default', right.id), JSON.stringify(right));
    await admin.rpush(store.inboxKey('default', right.id), JSON.stringify(wrong));
    const taken = await store.reserve({ ...request, max: 10 });
    expect(taken.map((d) => d.message.id)).toEqual([right.id]);
    const [letter] = await store.deadLetters();
    expect(letter?.reason).toMatch(/belongs to partition 2, not 1: push it to inboxKey\(queue, taskId\)/);
    expect(JSON.parse(letter?.raw ?? '{}')).toMatchObject({ id: wrong.id });
    expect(await store.get(wrong.id)).toBeNull();
  });
});
