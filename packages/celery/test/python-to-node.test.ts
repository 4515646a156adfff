import { Celeriac, type TaskContext, chord, group } from '@celeriac/core';
import { type CeleryWorker, PYTHON_REFUSALS, runCeleryClient, type RedisServer, startCeleryWorker, startRedisServer } from '@celeriac/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CeleryRedisBroker, celeryRedisStore } from '../src/index.js';

// Python's Celery client sends by name; a Celeriac worker runs the tasks; Python reads the results.
let server: RedisServer;
let app: Celeriac;
let python: CeleryWorker;
/** The calls of the Celeriac chord callback node.collect. */
const collected: unknown[][] = [];

class ValueError extends Error {
  override name = 'ValueError';
}

beforeAll(async () => {
  server = await startRedisServer();
  app = new Celeriac({ store: celeryRedisStore({ connection: server.url, parameters: { 'node.add': ['a', 'b'] } }) });
  app.task({ name: 'node.add', queue: 'celery' }, (a: number, b: number) => a + b);
  app.task({ name: 'node.progress', queue: 'celery', bind: true }, async (ctx: TaskContext, steps: number) => {
    for (let i = 1; i <= steps; i++) {
      await ctx.progress(i, steps, `step ${i}`);
      await new Promise((r) => setTimeout(r, 400));
    }
    return 'done';
  });
  app.task({ name: 'node.collect', queue: 'celery' }, (values: number[]) => {
    collected.push(values);
    return values;
  });
  app.task({ name: 'node.fail', queue: 'celery' }, (input: string) => {
    throw new ValueError(`cannot use ${input}`);
  });
  await app.worker({ queues: ['celery'], concurrency: 4 }).start();
  // Runs the Python callbacks of the link tests.
  python = await startCeleryWorker({ broker: server.url, backend: server.url }, { name: 'py-callbacks', queues: 'py' });
});

afterAll(async () => {
  await app?.close();
  await python?.stop();
  await server?.stop();
});

describe('a Python Celery client and a Celeriac worker', () => {
  it('delay() on a stub of the Node task, with a keyword argument: AsyncResult.get() returns the value', async () => {
    expect(await runCeleryClient({ broker: server.url, backend: server.url }, 'add')).toEqual({ value: 42, state: 'SUCCESS' });
  });

  it('PROGRESS is visible through .state / .info while it runs', async () => {
    const out = await runCeleryClient<{ seen: { state: string; info: unknown }[]; value: string }>({ broker: server.url, backend: server.url }, 'progress');
    expect(out.value).toBe('done');
    expect(out.seen.map((s) => s.info)).toEqual([
      { current: 1, total: 3, status: 'step 1' },
      { current: 2, total: 3, status: 'step 2' },
      { current: 3, total: 3, status: 'step 3' },
    ]);
  });

  it('a failing task raises in Python as the ValueError it is, with a traceback', async () => {
    const out = await runCeleryClient<Record<string, unknown>>({ broker: server.url, backend: server.url }, 'fail');
    expect(out).toMatchObject({ raised: 'ValueError', message: 'cannot use bad input', isValueError: true, state: 'FAILURE' });
    expect(out.traceback).toMatch(/ValueError: cannot use bad input/);
  });
});

describe('Celery workflows in the embed, run by a Celeriac worker', () => {
  it('link= runs the callback on the result; link_error= calls the errback with the failed task id', async () => {
    const out = await runCeleryClient<Record<string, unknown>>({ broker: server.url, backend: server.url }, 'link');
    expect(out).toEqual({ value: 4, callback: 40, failed: out.failed, errback: { failed: out.failed } });
    expect(typeof out.failed).toBe('string');
  });
});

describe('Celery chords counted on Celery\'s Redis backend', () => {
  it('a chord from Python with members on the Celeriac worker (and on a Python worker) calls its callback once, with the results in order', async () => {
    const out = await runCeleryClient<Record<string, unknown>>({ broker: server.url, backend: server.url }, 'chord');
    expect(out).toEqual({
      values: { mixed: [2, 4, 6, 8, 10], node: [0, 2, 4, 6, 8, 10] },
      calls: [['mixed', [2, 4, 6, 8, 10]], ['node', [0, 2, 4, 6, 8, 10]]],
    });
  });
});

describe('a Celeriac chord on the Celery store', () => {
  it('members on the Celeriac worker and on a Python worker: counted together, the Celeriac callback called once with the results in order', async () => {
    const nodeAdd = app.remote<[a: number, b: number], number>('node.add', { queue: 'celery' });
    const pyAdd = app.remote<[a: number, b: number], number>('tasks.add', { queue: 'py' });
    const collect = app.remote<[values: number[]], number[]>('node.collect', { queue: 'celery' });
    collected.length = 0;
    const mixed = await chord(group(nodeAdd.s(1, 1), pyAdd.s(2, 2), nodeAdd.s(3, 3), pyAdd.s(4, 4)), collect.partial()).applyAsync();
    expect(await mixed.get({ timeout: 20_000 })).toEqual([2, 4, 6, 8]);
    const node = await chord(group(nodeAdd.s(5, 5), nodeAdd.s(6, 6), nodeAdd.s(7, 7)), collect.partial()).applyAsync();
    expect(await node.get({ timeout: 20_000 })).toEqual([10, 12, 14]);
    await new Promise((r) => setTimeout(r, 500)); // a second call would have run by then
    expect(collected).toEqual([[2, 4, 6, 8], [10, 12, 14]]);
  });
});

describe('extended results (result_extended)', () => {
  it('args and kwargs as Python sent them, and the queue, written by the Celeriac worker', async () => {
    const out = await runCeleryClient<Record<string, unknown>>({ broker: server.url, backend: server.url }, 'extended');
    expect(out).toEqual({ args: [2], kwargs: { b: 40 }, queue: 'celery', name: 'node.add' });
  });
});

describe('what a Celeriac worker refuses from Python, dead-lettered with the reason', () => {
  it('from a real Celery client: pickle, NaN, Infinity, an integer past 2^53, an undeclared keyword', async () => {
    const { sent, good } = await runCeleryClient<{ sent: Record<keyof typeof PYTHON_REFUSALS, string>; good: number }>({ broker: server.url, backend: server.url }, 'refused');
    expect(good).toBe(3);
    const store = await app.connect();
    const reasons = new Map((await store.deadLetters(100, 0)).map((d) => [d.id, d.reason]));
    for (const [kind, reason] of Object.entries(PYTHON_REFUSALS)) expect(reasons.get(sent[kind as keyof typeof PYTHON_REFUSALS]), kind).toMatch(reason);
  });

  const queue = 'refusals';
  const send = async (admin: Redis, body: string, contentType: string, task = 'node.add') => {
    const id = crypto.randomUUID();
    const envelope = {
      body: Buffer.from(body).toString('base64'),
      'content-encoding': 'utf-8',
      'content-type': contentType,
      headers: { lang: 'py', task, id, retries: 0, eta: null, expires: null },
      properties: { correlation_id: id, delivery_mode: 2, delivery_info: { exchange: '', routing_key: queue }, priority: 0, body_encoding: 'base64', delivery_tag: crypto.randomUUID() },
    };
    await admin.lpush(queue, JSON.stringify(envelope));
    return id;
  };

  it('pickle, an undeclared keyword, NaN, a big integer: never guessed', async () => {
    const admin = new Redis(server.url);
    const broker = new CeleryRedisBroker({ connection: server.url, parameters: { 'node.add': ['a', 'b'] } });
    try {
      const refused: string[] = [
        await send(admin, '\x80\x04\x95...', 'application/x-python-serialize'),
        await send(admin, '[[1], {"c": 2}, {}]', 'application/json'),
        await send(admin, '[[NaN, 1], {}, {}]', 'application/json'),
        await send(admin, '[[12345678901234567890, 1], {}, {}]', 'application/json'),
        await send(admin, '[[], {"b": 2}, {}]', 'application/json'),
      ];
      const good = await send(admin, '[[], {"a": 1, "b": 2}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]', 'application/json');
      const taken = await broker.reserve({ queues: [queue], tasks: ['node.add'], max: 10, waitMs: 0 });
      expect(taken.map((d) => [d.message.id, d.message.args])).toEqual([[good, [1, 2]]]);
      const reasons = (await broker.deadLetters()).filter((d) => refused.includes(d.id)).map((d) => d.reason);
      expect(reasons).toEqual([
        expect.stringMatching(/only Celery's JSON serializer.*pickle is never accepted/),
        expect.stringMatching(/node.add has no parameter "c" \(declared: a, b\)/),
        expect.stringMatching(/args\[0\] is NaN, which JSON cannot carry/),
        expect.stringMatching(/args\[0\] is the integer 12345678901234567890, beyond 2\^53/),
        expect.stringMatching(/got keywords after "a" but not "a" itself/),
      ]);
      await broker.ack(taken[0] as (typeof taken)[number]);
    } finally {
      await broker.close();
      await admin.quit();
    }
  });
});
