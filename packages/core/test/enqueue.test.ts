import { MemoryBackend, MemoryBroker, MemoryStore } from '@celeriac/memory';
import { splitStore } from '../src/adapter.js';
import { afterEach, describe, expect, it } from 'vitest';
import { Celeriac, InvalidOptionError, SerializationError, type TaskContext, backoffDelay, task } from '../src/index.js';

class Jobs {
  @task({ queue: 'jobs', priority: 3, expires: 60_000 })
  store(value: unknown) {
    return value;
  }
}

describe('enqueue', () => {
  const store = new MemoryStore();
  const app = new Celeriac({ store });
  const jobs = app.register(new Jobs());
  afterEach(async () => {
    expect(await store.size('jobs')).toBe(0); // every bad call enqueued nothing
  });

  const unserializable: [string, unknown, RegExp][] = [
    ['a function', () => 1, /args\[0\] is a function/],
    ['a Map', new Map(), /args\[0\] is a Map instance/],
    ['a bigint', 10n, /args\[0\] is a bigint/],
    ['NaN', Number.NaN, /args\[0\] is NaN/],
    ['a nested undefined in an array', [1, undefined], /args\[0\]\[1\] is undefined/],
    ['a class instance', new (class Point {})(), /args\[0\] is a Point instance/],
  ];

  it.each(unserializable)('rejects %s in delay() with SerializationError, enqueuing nothing', async (_, value, message) => {
    const error = await jobs.store.delay(value).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as Error).message).toMatch(/^The arguments of Jobs.store must be JSON-serializable: /);
    expect((error as Error).message).toMatch(message);
  });

  it('rejects a circular argument', async () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    await expect(jobs.store.delay(loop)).rejects.toThrow(/args\[0\].self is a circular reference/);
  });

  it('accepts Dates and plain data, and fills message fields from task and call options', async () => {
    const result = await jobs.store.applyAsync([{ at: new Date(0), list: [1, 'a', null, { deep: true }] }], { priority: 9 });
    const [delivery] = await store.reserve({ queues: ['jobs'], tasks: ['Jobs.store'], max: 1, waitMs: 0 });
    expect(delivery?.message).toMatchObject({ id: result.id, task: 'Jobs.store', queue: 'jobs', priority: 9, attempt: 1, args: [{ at: '1970-01-01T00:00:00.000Z', list: [1, 'a', null, { deep: true }] }] });
    expect((delivery?.message.expires as number) - (delivery?.message.createdAt as number)).toBe(60_000);
    await store.ack(delivery as NonNullable<typeof delivery>);
  });

  const badOptions: [string, object, RegExp][] = [
    ['countdown with eta', { countdown: 1, eta: new Date() }, /option "countdown" cannot be combined with eta/],
    ['a negative countdown', { countdown: -5 }, /option "countdown" must be a non-negative number/],
    ['an invalid eta', { eta: new Date('nope') }, /option "eta" must be a Date or a timestamp/],
    ['priority 11', { priority: 11 }, /option "priority" must be an integer from 0 to 9/],
    ['an unknown option', { delay: 5 }, /option "delay" is not a known option/],
    ['a bad task id', { taskId: 'a/b' }, /option "taskId" must be 1-128 characters/],
    ['an empty partition key', { partitionKey: '' }, /option "partitionKey" must be a string of 1 to 1000 characters/],
    ['a partition key that is no string', { partitionKey: 42 }, /option "partitionKey" must be a string/],
    ['a partition key with a task id', { partitionKey: 'user-1', taskId: 'mine' }, /option "partitionKey" cannot be combined with taskId/],
  ];

  it.each(badOptions)('rejects %s, naming the option', async (_, options, message) => {
    const error = await jobs.store.applyAsync([1], options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as Error).message).toMatch(/^applyAsync\(\) of Jobs.store: /);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses a task id that is already in use, keeping the first task', async () => {
    const first = await jobs.store.applyAsync([1], { taskId: 'order-42' });
    await expect(jobs.store.applyAsync([2], { taskId: 'order-42' })).rejects.toThrow(/"order-42" is already in use/);
    const [delivery] = await store.reserve({ queues: ['jobs'], tasks: ['Jobs.store'], max: 5, waitMs: 0 });
    expect(delivery?.message.args).toEqual([1]);
    expect(delivery?.message.id).toBe(first.id);
    await store.ack(delivery as NonNullable<typeof delivery>);
  });

  it('refuses the id of a running task: a second enqueue never resets it to PENDING', async () => {
    await store.apply({ id: 'running-1', task: 'Jobs.store', state: 'PENDING', create: true });
    await store.apply({ id: 'running-1', state: 'STARTED' });
    await expect(jobs.store.applyAsync([2], { taskId: 'running-1' })).rejects.toThrow(/"running-1" is already in use/);
    expect(await store.get('running-1')).toMatchObject({ state: 'STARTED', seq: 2 });
  });

  it('leaves no PENDING record behind when the broker of a split pair refuses the publish', async () => {
    const failing = new MemoryBroker();
    failing.publish = async () => {
      throw new Error('broker down');
    };
    const backend = new MemoryBackend();
    const other = new Celeriac({ store: splitStore(failing, backend) });
    const handle = other.task({ name: 'x.y' }, () => 1);
    await expect(handle.applyAsync([], { taskId: 'lost-1' })).rejects.toThrow('broker down');
    expect(await backend.get('lost-1')).toBeNull();
    await other.close();
  });
});

describe('eager mode', () => {
  it('runs the task inside delay(): the result is ready when it resolves, retries included', async () => {
    const app = new Celeriac({ eager: true });
    let calls = 0;
    class T {
      @task({ bind: true, retries: 2, backoff: { delay: 60_000 } })
      flaky(ctx: TaskContext, n: number) {
        calls++;
        if (ctx.attempt < 2) throw new Error('once');
        return n * 2;
      }
    }
    const t = app.register(new T());
    const result = await t.flaky.delay(21);
    expect(result.ready()).toBe(true);
    expect(result.state).toBe('SUCCESS');
    expect(result.info).toBe(42);
    expect(calls).toBe(2);
    const ghost = await app.send('Nobody.home');
    expect(ghost.state).toBe('FAILURE');
    expect(ghost.info).toMatchObject({ type: 'NotRegisteredError' });
    await app.close();
  });
});

describe('AsyncResult', () => {
  it('forget() deletes the record; subscribe() streams changes to a listener', async () => {
    const app = new Celeriac();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const t = app.task({ name: 'n.twice', bind: true }, async (ctx: TaskContext, n: number) => {
      await gate;
      await ctx.progress(1, 2);
      return n * 2;
    });
    const worker = app.worker({ pollInterval: 20 });
    await worker.start();
    const result = await t.delay(4);
    const states: string[] = [];
    const stop = result.subscribe((record) => {
      states.push(record.state);
      if (record.state === 'STARTED') release();
    });
    expect(await result.get({ timeout: 2_000 })).toBe(8);
    await new Promise<void>((r) => setTimeout(r, 10));
    stop();
    expect(states.at(-1)).toBe('SUCCESS');
    expect(states).toContain('PROGRESS');
    await result.forget();
    expect((await app.result(result.id).refresh()).record).toBeNull();
    await app.close();
  });
});

describe('backoffDelay', () => {
  const base = { delay: 100, maxDelay: 1_000, jitter: false } as const;
  it('is constant when fixed and doubles when exponential, capped at maxDelay', () => {
    expect([1, 2, 3].map((n) => backoffDelay({ ...base, type: 'fixed' }, n))).toEqual([100, 100, 100]);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay({ ...base, type: 'exponential' }, n))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(backoffDelay({ ...base, type: 'exponential' }, 10_000)).toBe(1_000);
  });
  it('jitters within [d/2, d]', () => {
    const jittered = { ...base, type: 'exponential', jitter: true } as const;
    expect(backoffDelay(jittered, 3, () => 0)).toBe(200);
    expect(backoffDelay(jittered, 3, () => 0.999999)).toBe(400);
    expect(backoffDelay(jittered, 3, () => 0.5)).toBe(300);
  });
});
