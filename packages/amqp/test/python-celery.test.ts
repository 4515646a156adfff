import { CeleryRedisBackend } from '@celeriac/celery';
import { makeMessage } from '@celeriac/core/testing';
import { Celeriac, type TaskContext, TaskFailedError, type TaskRecord } from '@celeriac/core';
import { type CeleryWorker, PYTHON_REFUSALS, type RabbitMqServer, type RedisServer, runCeleryClient, startCeleryWorker, startRabbitMqServer, startRedisServer } from '@celeriac/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { celeryCodec, createAmqpStore } from '../src/index.js';

// Real Celery 5.2 (Debian's python3-celery, py-amqp) on the test's own RabbitMQ, results in Redis
// in Celery's layout: a Python worker runs what Node sends, and a Celeriac worker runs what
// Python's send_task sends, over AMQP in celery mode (Celery's protocol 2 by default).
let rabbit: RabbitMqServer;
let redis: RedisServer;
let worker: CeleryWorker | undefined;
let app: Celeriac;

class ValueError extends Error {
  override name = 'ValueError';
}

beforeAll(async () => {
  [rabbit, redis] = await Promise.all([startRabbitMqServer(), startRedisServer()]);
  // `py`: the queue of the Python callbacks of the link test.
  worker = await startCeleryWorker({ broker: rabbit.url, backend: redis.url }, { name: 'py', queues: 'celery,py' });
  const backend = new CeleryRedisBackend({ connection: redis.url });
  app = new Celeriac({ store: createAmqpStore({ url: rabbit.url, backend, mode: 'celery', codec: celeryCodec({ parameters: { 'node.add': ['a', 'b'], 'node.progress': ['steps'] } }) }) });
  app.task({ name: 'node.add', queue: 'node' }, (a: number, b: number) => a + b);
  app.task({ name: 'node.progress', queue: 'node', bind: true }, async (ctx: TaskContext, steps: number) => {
    for (let i = 1; i <= steps; i++) {
      await ctx.progress(i, steps, `step ${i}`);
      await new Promise((r) => setTimeout(r, 400));
    }
    return 'done';
  });
  app.task({ name: 'node.fail', queue: 'node' }, (input: string) => {
    throw new ValueError(`cannot use ${input}`);
  });
  await app.worker({ queues: ['node'], concurrency: 2 }).start();
}, 90_000);

afterAll(async () => {
  await app?.close();
  await worker?.stop();
  await Promise.all([rabbit?.stop(), redis?.stop()]);
}, 60_000);

/** Python's `send_task` to the Celeriac worker (its queue `node`), through client.py. */
function client<T>(...args: string[]): Promise<T> {
  return runCeleryClient<T>({ broker: rabbit.url, backend: redis.url, nodeQueue: 'node' }, ...args);
}

describe('Celery over RabbitMQ', () => {
  it('Node → a Python Celery worker: add, with the result read back from Celery\'s backend', { timeout: 30_000 }, async () => {
    const add = app.remote<[a: number, b: number], number>('tasks.add', { queue: 'celery' });
    const result = await add.delay(2, 40);
    expect(await result.get({ timeout: 20_000 })).toBe(42);
    // A countdown goes through the delay queues and reaches the Python worker when due.
    const sent = Date.now();
    expect(await (await add.applyAsync([1, 2], { countdown: 1_000 })).get({ timeout: 20_000 })).toBe(3);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(1_000);
  });

  it('header integers between 128 and 32767 (retries 299) reach the Python worker, which reads the frame and runs the task', { timeout: 30_000 }, async () => {
    const message = makeMessage({ task: 'tasks.add', args: [20, 22], queue: 'celery', attempt: 300 });
    await (await app.connect()).enqueue([message]);
    expect(await app.result<number>(message.id).get({ timeout: 20_000 })).toBe(42);
    expect((await app.result(message.id).refresh()).record).toMatchObject({ state: 'SUCCESS', attempt: 300 });
  });

  it('Python delay() (a keyword argument) → a Celeriac worker: AsyncResult.get() returns the value', { timeout: 60_000 }, async () => {
    expect(await client('add')).toEqual({ value: 42, state: 'SUCCESS' });
  });

  it('Python link= / link_error= on tasks a Celeriac worker runs: the callback gets the result, the errback the failed id', { timeout: 60_000 }, async () => {
    const out = await client<Record<string, unknown>>('link');
    expect(out).toEqual({ value: 4, callback: 40, failed: out.failed, errback: { failed: out.failed } });
  });

  it('extended results: args and kwargs as Python sent them, and the queue', { timeout: 60_000 }, async () => {
    expect(await client('extended')).toEqual({ args: [2], kwargs: { b: 40 }, queue: 'node', name: 'node.add' });
  });

  it('a Python chain through a Celeriac task and back (Python, Node, Python): each worker follows embed.chain', { timeout: 60_000 }, async () => {
    expect(await client('chain')).toEqual({ value: 15 });
  });

  it('a Celeriac failure raises in Python as the ValueError it is', { timeout: 60_000 }, async () => {
    expect(await client('fail')).toMatchObject({ raised: 'ValueError', message: 'cannot use bad input', isValueError: true, traceback: expect.stringContaining('ValueError'), state: 'FAILURE' });
  });

  it('what Python sends that cannot be mapped is dead-lettered with the reason: pickle, NaN, Infinity, an integer past 2^53, an undeclared keyword', { timeout: 60_000 }, async () => {
    const { sent, good } = await client<{ sent: Record<keyof typeof PYTHON_REFUSALS, string>; good: number }>('refused');
    expect(good).toBe(3);
    const store = await app.connect();
    const reasons = new Map((await store.deadLetters(100, 0)).map((d) => [d.id, d.reason]));
    for (const [kind, reason] of Object.entries(PYTHON_REFUSALS)) expect(reasons.get(sent[kind as keyof typeof PYTHON_REFUSALS]), kind).toMatch(reason);
    expect(reasons.get(sent.nan)).toBe('malformed message (celery-v2): node.add: args[0] is NaN, which JSON cannot carry');
  });

  it('Node → Python: nested unicode JSON arrives and returns intact', { timeout: 30_000 }, async () => {
    const value = { name: 'Zoë ✓ 🎉 日本', list: [1, 2.5, null, true, { deep: ['ü', { é: 'à' }] }], empty: {}, none: [] };
    const echo = app.remote<[value: typeof value], typeof value>('tasks.echo', { queue: 'celery' });
    expect(await (await echo.delay(value)).get({ timeout: 20_000 })).toEqual(value);
  });

  it('Node → Python: a task that raises is a TaskFailedError with the Python type and message', { timeout: 30_000 }, async () => {
    const fail = app.remote<[message: string], never>('tasks.fail', { queue: 'celery' });
    const error = await (await fail.delay('no such thing')).get({ timeout: 20_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as TaskFailedError).remote).toMatchObject({ type: 'ValueError', message: 'no such thing' });
  });

  it('Node → Python: PROGRESS from update_state is seen live, in order, before SUCCESS', { timeout: 30_000 }, async () => {
    const progress = app.remote<[steps: number, pause: number], string>('tasks.progress', { queue: 'celery' });
    const result = await progress.delay(3, 0.4);
    const seen: TaskRecord[] = [];
    for await (const record of result.updates()) seen.push(record);
    expect(seen.at(-1)?.state).toBe('SUCCESS');
    expect(seen.filter((r) => r.state === 'PROGRESS').map((r) => r.meta)).toEqual([
      { current: 1, total: 3 },
      { current: 2, total: 3 },
      { current: 3, total: 3 },
    ]);
  });

  it('Python → a Celeriac worker: PROGRESS is seen through .state and .info, then the value', { timeout: 60_000 }, async () => {
    const { seen, value } = await client<{ seen: { state: string; info: { current: number; total: number } }[]; value: string }>('progress');
    expect(value).toBe('done');
    expect(seen.map((s) => s.info.current)).toEqual([1, 2, 3]);
    expect(seen.every((s) => s.state === 'PROGRESS' && s.info.total === 3)).toBe(true);
  });
});
