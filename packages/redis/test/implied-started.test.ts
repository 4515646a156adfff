import { type TaskRecord, TaskStates } from '@celeriac/core';
import type { StartedDelivery } from '@celeriac/core/adapter';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { backendKeys, brokerKeys } from '../src/internal/keys.js';
import { echoApp } from './helpers/apps.js';
import { type TestRedis, deleteKeys, expireLeases, uniquePrefix, until, useRedisServer } from './helpers/redis.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

const TASK = 'started.echo';

/** An app with one task, `echo`, on a Redis store; `close` tidies up. */
function openApp(prefix: string) {
  const { app, store, echo, close } = echoApp({ connection: server.url, prefix }, TASK);
  const reserve = () => store.reserve({ queues: ['default'], tasks: [TASK], max: 10, waitMs: 1_000 });
  const succeed = (delivery: StartedDelivery, result: number) => {
    const { id, task, attempt } = delivery.message;
    return store.settle(delivery, { id, task, attempt, state: TaskStates.SUCCESS, result });
  };
  return { app, echo, store, reserve, succeed, close: () => close().then(() => deleteKeys(admin, prefix)) };
}

/** The record a STARTED delivery was given by its reserve. */
function startedRecord(delivery: StartedDelivery | undefined): TaskRecord {
  if (delivery?.started.applied !== true) throw new Error('expected an applied STARTED');
  return delivery.started.record;
}


describe('a reserved message implies its STARTED record', () => {
  it('a reserve writes no record: the task reads as STARTED at seq 2 from its start, and its outcome is seq 3', async () => {
    const prefix = uniquePrefix('started');
    const { echo, store, reserve, succeed, close } = openApp(prefix);
    try {
      const result = await echo.delay(5);
      const before = Date.now();
      const [delivery] = await reserve();
      const started = startedRecord(delivery);
      expect(started).toMatchObject({ id: result.id, task: TASK, state: TaskStates.STARTED, seq: 2, attempt: 1 });
      expect(started.updatedAt).toBeGreaterThanOrEqual(before - 1_000); // Redis's clock, not ours
      expect(await admin.exists(backendKeys(prefix).record(result.id))).toBe(0);
      expect(await admin.hget(brokerKeys(prefix).run, result.id)).toBe(String(started.updatedAt));
      expect(await store.get(result.id)).toEqual(started);
      // A refused update reports the implied record as the message has it, not as the update says.
      const refused = await store.apply({ id: result.id, task: 'other.task', attempt: 9, state: TaskStates.RECEIVED });
      expect(refused).toEqual({ applied: false, current: started });

      const outcome = await succeed(delivery as StartedDelivery, 5);
      expect(outcome).toMatchObject({ applied: true, record: { state: TaskStates.SUCCESS, seq: 3, result: 5 } });
      expect(await admin.hexists(brokerKeys(prefix).run, result.id)).toBe(0);
      expect(await store.get(result.id)).toMatchObject({ state: TaskStates.SUCCESS, seq: 3, result: 5 });
    } finally {
      await close();
    }
  });

  it('a redelivery after the lease expired stores STARTED at seq 3, counts the delivery, and the task still finishes once', async () => {
    const prefix = uniquePrefix('started');
    const { echo, store, reserve, succeed, close } = openApp(prefix);
    try {
      const result = await echo.delay(6);
      const [first] = await reserve();
      const firstStart = startedRecord(first);
      await expireLeases(admin, prefix);
      // The task did start: it stays STARTED at seq 2 until it starts again (no step back to PENDING).
      expect(await store.get(result.id)).toEqual(firstStart);

      const [second] = await reserve();
      expect(second?.deliveries).toBe(2);
      expect(startedRecord(second)).toMatchObject({ id: result.id, state: TaskStates.STARTED, seq: 3, attempt: 1 });
      expect(await admin.exists(backendKeys(prefix).record(result.id))).toBe(1);
      expect(await store.get(result.id)).toMatchObject({ state: TaskStates.STARTED, seq: 3 });

      // The first holder's late outcome no longer holds the lease, the second's is seq 4.
      expect(await succeed(second as StartedDelivery, 6)).toMatchObject({ applied: true, record: { state: TaskStates.SUCCESS, seq: 4 } });
      expect(await store.size('default')).toBe(0);
      expect(await admin.hexists(brokerKeys(prefix).run, result.id)).toBe(0);
    } finally {
      await close();
    }
  });

  it('outcomes settled together, one over a stored record: each as if alone, each event once, every delivery acknowledged', async () => {
    const prefix = uniquePrefix('started');
    const { echo, store, reserve, succeed, close } = openApp(prefix);
    // A follower in another process, so its events come over Redis.
    const follower = createRedisStore({ connection: server.url, prefix });
    try {
      const results = await echo.bulk([[1], [2], [3]]);
      const ids = results.map((r) => r.id);
      const heard: string[] = [];
      await Promise.all(ids.map((id) => follower.subscribe(id, (record) => heard.push(`${record.id} ${record.state} ${record.seq}`))));
      const byId = new Map((await reserve()).map((d) => [d.message.id, d]));
      const delivery = (i: number) => byId.get(ids[i] as string) as StartedDelivery;
      // The second task reports progress: a stored record at seq 3, where the others' are implied.
      expect(await store.apply({ id: ids[1] as string, state: 'PROGRESS', meta: { done: 1 } })).toMatchObject({ applied: true, record: { seq: 3 } });
      const settled = await Promise.all([succeed(delivery(0), 1), succeed(delivery(1), 2), succeed(delivery(2), 3)]);
      expect(settled.map((r) => (r.applied ? `${r.record.state} ${r.record.seq} ${JSON.stringify(r.record.result)}` : 'refused'))).toEqual(['SUCCESS 3 1', 'SUCCESS 4 2', 'SUCCESS 3 3']);
      for (const [i, result] of settled.entries()) expect(await store.get(ids[i] as string)).toEqual(result.applied ? result.record : null);
      const successes = () => heard.filter((event) => event.includes(' SUCCESS '));
      await until(() => successes().length === 3, 2_000, 'the three SUCCESS events');
      await new Promise((resolve) => setTimeout(resolve, 50)); // any repeated event's way here
      expect(successes().sort()).toEqual([`${ids[0]} SUCCESS 3`, `${ids[1]} SUCCESS 4`, `${ids[2]} SUCCESS 3`].sort());
      const k = brokerKeys(prefix);
      expect(await admin.zrange(k.leases, '0', '-1')).toEqual([expect.stringMatching(/^encoding/)]);
      for (const hash of [k.meta, k.run]) expect(await admin.hmget(hash, ...ids)).toEqual([null, null, null]);
      // A body stays for its finished record (see lua/includes/taskLists.lua), unless that record
      // carries the message already: the progress report copied it there.
      expect((await admin.hmget(k.body, ...ids)).map((raw) => raw !== null)).toEqual([true, false, true]);
      expect((await store.viewTask(ids[1] as string))?.args).toEqual([2]);
    } finally {
      await follower.close();
      await close();
    }
  });

  it('publishes STARTED and SUCCESS to a task someone follows, and nothing for the tasks nobody follows', async () => {
    const prefix = uniquePrefix('started');
    const { app, echo, store, close } = openApp(prefix);
    const monitor = await admin.duplicate().monitor();
    try {
      const followed = await echo.delay(1);
      const unfollowed = await echo.bulk([[2], [3], [4], [5], [6], [7], [8], [9]]);
      const heard: string[] = [];
      const stop = await store.subscribe(followed.id, (record) => heard.push(`${record.state} ${record.seq}`));
      const published: string[] = [];
      monitor.on('monitor', (_time: string, args: string[]) => {
        if (args[0]?.toUpperCase() === 'PUBLISH' && args[1]?.startsWith(backendKeys(prefix).eventPrefix)) published.push(args[1]);
      });
      await app.worker({ concurrency: 4 }).start();
      expect(await followed.wait({ timeout: 5_000 })).toBe(1);
      // Polled, not waited for: a wait() would follow them.
      const finished = async () => (await Promise.all(unfollowed.map((r) => store.get(r.id)))).every((r) => r?.state === TaskStates.SUCCESS);
      await until(finished, 5_000, 'the unfollowed tasks to finish');
      await new Promise((resolve) => setTimeout(resolve, 50)); // the monitor's last lines
      stop();
      expect(heard).toEqual(['STARTED 2', 'SUCCESS 3']);
      expect(published).toEqual([backendKeys(prefix).events(followed.id), backendKeys(prefix).events(followed.id)]);
    } finally {
      monitor.disconnect();
      await close();
    }
  });
});
