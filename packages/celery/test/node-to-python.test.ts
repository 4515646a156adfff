import { Celeriac, TaskFailedError, type TaskRecord, type WorkflowFailure, chain, chord, group } from '@celeriac/core';
import { type CeleryWorker, runCeleryClient, startCeleryWorker, type RedisServer, startRedisServer } from '@celeriac/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { celeryRedisStore } from '../src/index.js';

// Node produces, a real Celery 5.2 worker (Debian's python3-celery) runs the tasks.
let server: RedisServer;
let worker: CeleryWorker;
let app: Celeriac;

beforeAll(async () => {
  server = await startRedisServer();
  worker = await startCeleryWorker({ broker: server.url, backend: server.url }, { name: 'py-runs' });
  app = new Celeriac({ store: celeryRedisStore({ connection: server.url }) });
});

afterAll(async () => {
  await app?.close();
  await worker?.stop();
  await server?.stop();
});

const add = () => app.remote<[a: number, b: number], number>('tasks.add', { queue: 'celery' });

describe('a Node producer and a Python Celery worker', () => {
  it('add: the typed handle sends, the Celery worker runs it, the result comes back', async () => {
    const result = await add().delay(2, 40);
    expect(await result.get({ timeout: 20_000 })).toBe(42);
    expect((await result.refresh()).record).toMatchObject({ state: 'SUCCESS', result: 42 });
  });

  it('echo: nested unicode JSON arrives and returns intact', async () => {
    const value = { name: 'Zoë ✓ 🎉 日本', list: [1, 2.5, null, true, { deep: ['ü', { é: 'à' }] }], empty: {}, none: [] };
    const echo = app.remote<[value: typeof value], typeof value>('tasks.echo', { queue: 'celery' });
    expect(await (await echo.delay(value)).get({ timeout: 20_000 })).toEqual(value);
  });

  it('a chain of Python tasks: the Celery worker follows embed.chain, passing each result on, and Node reads the last', async () => {
    const result = await chain(add().s(2, 3)).then(add().partial(10)).then(add().partial(100)).applyAsync();
    expect(await result.get({ timeout: 20_000 })).toBe(115);
  });

  it('a chord of Python tasks: the Python worker counts its members on Celery\'s backend and calls the callback once with the results', async () => {
    const echo = app.remote<[values: number[]], number[]>('tasks.echo', { queue: 'celery' });
    const result = await chord(group(add().s(1, 1), add().s(2, 2), add().s(3, 3), add().s(4, 4)), echo.partial()).applyAsync();
    expect(await result.get({ timeout: 20_000 })).toEqual([2, 4, 6, 8]);
  });

  it('an error callback of a Python task: the Python worker calls it with the failed task\'s id, as Celery does', async () => {
    const admin = new Redis(server.url);
    try {
      const fail = app.remote<[message: string], never>('tasks.fail', { queue: 'celery' });
      // Celery gives an error callback the failed task's id (Celeriac's own workers give { taskId, error }).
      const note = app.remote<[failure: WorkflowFailure], unknown>('tasks.note_failure', { queue: 'celery' });
      const result = await chain(fail.s('no')).onError(note.partial()).applyAsync();
      await expect(result.get({ timeout: 20_000 })).rejects.toThrow(TaskFailedError);
      await expect.poll(() => admin.lrange('errbacks:calls', 0, -1), { timeout: 20_000 }).toEqual([result.id]);
    } finally {
      await admin.quit();
    }
  });

  it('a result JSON cannot carry (bare NaN / Infinity, an integer past 2^53) is read as it is, never rounded', async () => {
    const beyond = app.remote<[], { nan: number; inf: number; ninf: number; big: bigint; small: number }>('tasks.beyond_json', { queue: 'celery' });
    expect(await (await beyond.delay()).get({ timeout: 20_000 })).toEqual({ nan: Number.NaN, inf: Infinity, ninf: -Infinity, big: 2n ** 64n + 1n, small: 1 });
  });

  it('a task that raises: a TaskFailedError with the Python type, message and traceback', async () => {
    const fail = app.remote<[message: string], never>('tasks.fail', { queue: 'celery' });
    const result = await fail.delay('no such thing');
    const error = await result.get({ timeout: 20_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as TaskFailedError).remote).toMatchObject({ type: 'ValueError', message: 'no such thing' });
    expect((error as TaskFailedError).remote.stack).toMatch(/Traceback[\s\S]*raise ValueError\(message\)/);
  });

  it('PROGRESS from update_state is seen live, in order, before SUCCESS', async () => {
    const progress = app.remote<[steps: number, pause: number], string>('tasks.progress', { queue: 'celery' });
    const result = await progress.delay(3, 0.4);
    const seen: TaskRecord[] = [];
    for await (const record of result.updates()) seen.push(record);
    const states = seen.map((r) => r.state);
    expect(states.at(-1)).toBe('SUCCESS');
    expect(seen.filter((r) => r.state === 'PROGRESS').map((r) => r.meta)).toEqual([
      { current: 1, total: 3 },
      { current: 2, total: 3 },
      { current: 3, total: 3 },
    ]);
    // Each record newer than the last (Celery's writes carry no seq: the reader numbers them).
    expect(seen.map((r) => r.seq)).toEqual([...seen.map((r) => r.seq)].sort((a, b) => a - b));
    expect(await result.get()).toBe('done');
  });

  it('a countdown is honoured to the millisecond (eta with six fraction digits), not early', async () => {
    const startedAt = app.remote<[], number>('tasks.started_at', { queue: 'celery' });
    const sent = Date.now();
    const result = await startedAt.applyAsync([], { countdown: 1_500 });
    const ran = await result.get({ timeout: 20_000 });
    expect(ran).toBeGreaterThanOrEqual(sent + 1_500);
    expect(ran).toBeLessThan(sent + 6_000);
  });

  it('expires: a task past its expiry is revoked by the Celery worker, and Node reads REVOKED', async () => {
    const result = await add().applyAsync([1, 1], { countdown: 600, expires: 300 });
    const error = await result.get({ timeout: 20_000 }).catch((e: unknown) => e);
    expect((await result.refresh()).record?.state).toBe('REVOKED');
    expect(error).toBeInstanceOf(Error);
  });

  it('a Python AsyncResult.get() already waiting sees a result Node stores (it only listens)', async () => {
    const id = '7d1a0c1e-0000-4000-8000-000000000001';
    const store = await app.connect();
    await store.enqueue([{ id, task: 'never.sent', args: [], queue: 'nowhere', priority: 0, attempt: 1, createdAt: Date.now() }]);
    const waiting = runCeleryClient<{ value: unknown }>({ broker: server.url, backend: server.url }, 'wait', id);
    await new Promise((r) => setTimeout(r, 1_500)); // the client has read PENDING and subscribed
    const [delivery] = await store.reserve({ queues: ['nowhere'], tasks: ['never.sent'], max: 1, waitMs: 1_000 });
    expect(delivery).toBeDefined();
    if (delivery !== undefined) await store.settle(delivery, { id, state: 'SUCCESS', result: { from: 'node', n: 1 } });
    expect(await waiting).toEqual({ value: { from: 'node', n: 1 } });
  });

  it('the admin API on a task a Celery worker ran: a listing files it under the state Python wrote, and its view ends there', async () => {
    const result = await add().delay(20, 22);
    expect(await result.get({ timeout: 20_000 })).toBe(42);
    // Python wrote STARTED and SUCCESS without filing them: the PENDING listing meets it and files it anew.
    expect((await app.tasks.list({ state: 'PENDING' })).tasks.map((r) => r.id)).not.toContain(result.id);
    expect((await app.tasks.list({ state: 'SUCCESS' })).tasks.map((r) => r.id)).toContain(result.id);
    const view = await app.tasks.view(result.id);
    expect(view).toMatchObject({ state: 'SUCCESS', result: 42, args: [20, 22], queue: 'celery' });
    expect(view?.worker).toMatch(/^py-runs@/); // Celery's extended `worker`, its hostname
    expect(view?.timeline.map((t) => t.state)).toEqual(['PENDING', 'SUCCESS']);
  });

  it('a paused queue: Celeriac lists it paused, but a Celery worker does not read the pause and runs its tasks', async () => {
    await app.queues.pause('celery');
    try {
      expect((await app.queues.get('celery'))?.paused).toBe(true);
      expect(await (await add().delay(1, 2)).get({ timeout: 20_000 })).toBe(3);
    } finally {
      await app.queues.resume('celery');
    }
  });

  it('the message on the wire is what Celery sends: base64 body, delivery tag, six-digit eta, kombu priority list', async () => {
    const admin = new Redis(server.url);
    try {
      await app.remote<[number], number>('tasks.add', { queue: 'inspect' }).applyAsync([1], { countdown: 60_000, priority: 3 });
      const [list] = await admin.keys('inspect*');
      expect(list).toBe('inspect\x06\x166'); // Celeriac 3 is kombu 6: step 6
      const envelope = JSON.parse((await admin.lindex(list as string, 0)) as string);
      expect(envelope.properties).toMatchObject({ body_encoding: 'base64', priority: 6, delivery_info: { exchange: '', routing_key: 'inspect' } });
      expect(envelope.properties.delivery_tag).toMatch(/^[0-9a-f-]{36}$/);
      expect(envelope.headers.eta).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
      expect(JSON.parse(Buffer.from(envelope.body, 'base64').toString())).toEqual([[1], {}, { callbacks: null, errbacks: null, chain: null, chord: null }]);
    } finally {
      await admin.quit();
    }
  });
});
