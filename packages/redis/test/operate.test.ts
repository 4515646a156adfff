import { Celeriac, type CeleriacEvent, type Logger, type WorkerInfo } from '@celeriac/core';
import { type RedisServer, startRedisServer } from '@celeriac/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectEveryLifecycleEvent } from '@celeriac/core/testing';
import { createRedisStore } from '../src/index.js';
import { silentLogger } from './helpers/apps.js';
import { deleteKeys, uniquePrefix, until, useCleanups } from './helpers/redis.js';
import { type WorkerProcess, startWorkerProcess, stopWorkerProcess } from './helpers/worker-process.js';
import { Redis } from 'ioredis';

// The connection test restarts Redis, so this file owns its server (never REDIS_URL).
let server: RedisServer;
let admin: Redis;
beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis(server.url, { maxRetriesPerRequest: null });
  admin.on('error', () => undefined);
});
afterAll(async () => {
  admin.disconnect();
  await server.stop();
});
const cleanups = useCleanups();

/** An app on its own Redis store under a fresh prefix, closed (keys deleted) after the test. */
function app(prefix = uniquePrefix('ops'), logger: Logger = silentLogger, events = false) {
  const store = createRedisStore({ connection: server.url, prefix, connectTimeout: 5_000 });
  const made = new Celeriac({ store, logger, events });
  cleanups.push(async () => {
    await made.close();
    await store.close();
    await deleteKeys(admin, prefix);
  });
  return { app: made, store, prefix };
}

describe('lifecycle events on Redis', () => {
  it('emits every event with its payload, to app.on and worker.on', async () => {
    const { app: made } = app();
    await expectEveryLifecycleEvent(made, () => made.worker({ pollInterval: 20, heartbeatInterval: 50 }));
  });
});

describe('the worker registry and ping on Redis, with worker processes', () => {
  it('lists live workers with what they run; a killed (-9) worker drops out once its TTL passes; a closed one at once', { timeout: 60_000 }, async () => {
    const { app: made, prefix } = app();
    const workers: WorkerProcess[] = [];
    cleanups.unshift(async () => {
      await Promise.all(workers.map(stopWorkerProcess));
    });
    const common = { url: server.url, prefix, concurrency: 3, registryInterval: 300 };
    workers.push(await startWorkerProcess({ ...common, name: 'a' }), await startWorkerProcess({ ...common, name: 'b' }));
    const [a, b] = workers as [WorkerProcess, WorkerProcess];
    const pids = (list: WorkerInfo[]) => list.map((w) => w.pid).sort();
    expect(pids(await made.workers.list())).toEqual([a.child.pid, b.child.pid].sort());

    // A task running on one of them shows in its heartbeat.
    const running = await made.send('test.work', [1, 3_000]);
    await until(async () => (await made.workers.list()).some((w) => w.running.some((r) => r.id === running.id)), 5_000, 'the running task in a heartbeat');
    const list = await made.workers.list();
    const runner = list.find((w) => w.running.length > 0) as WorkerInfo;
    expect(runner).toMatchObject({
      id: expect.stringMatching(new RegExp(`^celeriac@.+:${runner.pid}:[0-9a-f]{4}$`)),
      host: expect.any(String),
      queues: ['default'],
      tasks: ['test.work'],
      concurrency: 3,
      pool: 'inline',
      store: 'RedisStore',
      running: [{ id: running.id, task: 'test.work', attempt: 1, startedAt: expect.any(Number) }],
      processed: 0,
      failed: 0,
      heartbeatInterval: 300,
    });
    expect(Date.now() - runner.lastHeartbeatAt).toBeLessThan(2_000);

    const replies = await made.workers.ping(2_000);
    expect(replies.map((r) => r.pid).sort()).toEqual([a.child.pid, b.child.pid].sort());
    expect(replies.map((r) => r.worker).sort()).toEqual(list.map((w) => w.id).sort());
    for (const reply of replies) expect(reply.latencyMs).toBeGreaterThanOrEqual(0);

    // kill -9: no close, no goodbye. It stays listed until three heartbeats are missed.
    a.child.kill('SIGKILL');
    await a.exited;
    const killedAt = Date.now();
    await until(async () => !pids(await made.workers.list()).includes(a.child.pid as number), 5_000, 'the killed worker to drop out');
    const gone = Date.now() - killedAt;
    expect(gone).toBeLessThan(3 * 300 + 1_000);
    expect(pids(await made.workers.list())).toEqual([b.child.pid]);
    expect((await made.workers.ping(1_000)).map((r) => r.pid)).toEqual([b.child.pid]);

    // A graceful close removes it at once.
    b.child.kill('SIGTERM');
    await b.exited;
    expect(await made.workers.list()).toEqual([]);
  });
});

describe('the queue-wide event stream on Redis', () => {
  it("a worker process's events reach a follower in another process, in order, and stay readable with recent()", { timeout: 30_000 }, async () => {
    const { app: made, prefix } = app();
    const followed: CeleriacEvent[] = [];
    const stop = await made.events.follow((event) => void followed.push(event));
    cleanups.unshift(async () => stop());
    const worker = await startWorkerProcess({ url: server.url, prefix, name: 'events', events: true, registryInterval: 10_000 });
    cleanups.unshift(() => stopWorkerProcess(worker));
    const result = await made.send('test.work', [7, 10]);
    await result.wait({ timeout: 5_000 });
    await until(() => followed.some((e) => e.type === 'task-succeeded'), 5_000, 'task-succeeded on the stream');
    const ofTask = followed.filter((e) => 'taskId' in e && e.taskId === result.id).map((e) => e.type);
    expect(ofTask).toEqual(['task-received', 'task-started', 'task-succeeded']);
    const online = followed.find((e) => e.type === 'worker-online');
    expect(online).toMatchObject({ type: 'worker-online', info: { pid: worker.child.pid, tasks: ['test.work'] } });
    const succeeded = followed.find((e) => e.type === 'task-succeeded');
    expect(succeeded).toMatchObject({ taskId: result.id, task: 'test.work', attempt: 1, worker: (online as { worker: string }).worker, runtimeMs: expect.any(Number) });
    // The producer app did not turn the stream on: its task-sent is not there.
    expect(followed.some((e) => e.type === 'task-sent')).toBe(false);
    expect((await made.events.recent(100)).map((e) => e.type)).toEqual(followed.map((e) => e.type));
    // A follower starting later with `since` reads the same from the stream.
    const late: CeleriacEvent[] = [];
    const stopLate = await made.events.follow((event) => void late.push(event), { since: 0 });
    await until(() => late.length >= followed.length, 5_000, 'the late follower to catch up');
    stopLate();
    expect(late).toEqual(followed);
  });

  it('an app with events: true appends its producer events too', async () => {
    const { app: producer, prefix } = app(undefined, silentLogger, true);
    producer.task({ name: 'ops.noop' }, () => null);
    const sent = await producer.send('ops.noop');
    await until(async () => (await producer.events.recent(10)).length > 0, 5_000, 'the task-sent event');
    expect(await producer.events.recent(10)).toEqual([{ type: 'task-sent', taskId: sent.id, task: 'ops.noop', attempt: 1, at: expect.any(Number), queue: 'default' }]);
    expect(prefix).toBeTruthy();
  });
});

describe("the store's connection on Redis", () => {
  it('emits store-disconnected while Redis is down and store-reconnected when it is back, each logged at warn once', { timeout: 30_000 }, async () => {
    const lines: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn: (m) => void lines.push(m), error() {} };
    const { app: made } = app(undefined, logger);
    made.task({ name: 'ops.noop' }, () => null);
    const events: string[] = [];
    made.on('store-disconnected', () => void events.push('down'));
    made.on('store-reconnected', (e) => void events.push(`up after ${e.downMs >= 0 ? 'some' : 'negative'} ms`));
    await made.connect();
    await (await made.connect()).get('warm-up'); // connected once
    await server.kill();
    await until(() => events.length >= 1, 10_000, 'store-disconnected');
    await new Promise((resolve) => setTimeout(resolve, 500)); // several failed reconnects: still one event
    await server.restart();
    await until(() => events.length >= 2, 15_000, 'store-reconnected');
    expect(events).toEqual(['down', 'up after some ms']);
    expect(lines.filter((l) => l.startsWith('the store is unreachable'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('the store is reachable again after'))).toHaveLength(1);
  });
});
