import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type TaskContext,
  TaskFailedError,
  TaskRevokedError,
  TimeLimitExceededError,
  WaitTimeoutError,
  task,
} from '../src/index.js';
import { deferred, flush, startApp, tracker } from './support.js';


describe('worker: outcomes', () => {
  const track = tracker();
  afterEach(track.closeAll);

  it('runs a task to SUCCESS through PENDING and STARTED, and wait() sees a task that already finished', async () => {
    class T {
      @task()
      add(a: number, b: number) {
        return { sum: a + b };
      }
    }
    const ctx = await track(startApp(new T()));
    const first = await ctx.tasks.add.delay(2, 3);
    expect(await first.wait({ timeout: 2_000 })).toEqual({ sum: 5 });
    // A fresh handle after the fact: wait() must not hang waiting for an event that already passed.
    const late = ctx.app.result<{ sum: number }>(first.id);
    expect(await late.wait({ timeout: 500 })).toEqual({ sum: 5 });
    expect(late.state).toBe('SUCCESS');
    expect(late.ready() && late.successful() && !late.failed()).toBe(true);
    expect(late.info).toEqual({ sum: 5 });
    expect(late.record?.seq).toBe(3);
  });

  it('stores a thrown error with type, message and stack; get() rejects with it', async () => {
    class T {
      @task()
      explode(): never {
        throw new RangeError('out of range: 11');
      }
    }
    const ctx = await track(startApp(new T()));
    const result = await ctx.tasks.explode.delay();
    const error = await result.get({ timeout: 2_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as TaskFailedError).remote).toMatchObject({ type: 'RangeError', message: 'out of range: 11' });
    expect((error as TaskFailedError).remote.stack).toContain('explode');
    expect(result.state).toBe('FAILURE');
    expect(result.info).toMatchObject({ type: 'RangeError' });
  });

  it('fails a task whose result is not JSON, without retrying it', async () => {
    class T {
      @task({ retries: 3 })
      mapOut() {
        return new Map([[1, 2]]);
      }
    }
    const ctx = await track(startApp(new T()));
    const result = await ctx.tasks.mapOut.delay();
    await expect(result.get({ timeout: 2_000 })).rejects.toThrow(/The result of T.mapOut must be JSON-serializable: result is a Map instance/);
    expect(result.record?.attempt).toBe(1);
  });

  it('reports progress and user states to subscribers in order, and refuses built-in states from a task', async () => {
    class T {
      @task({ bind: true })
      async long(ctx: TaskContext, total: number) {
        for (let i = 0; i < total; i++) await ctx.progress(i, total, `step ${i}`);
        await ctx.updateState('UPLOADING', { bytes: 10 });
        await expect(ctx.updateState('SUCCESS', {})).rejects.toThrow(/only user states/);
        return { current: total, total, status: 'Task completed!', result: 42 };
      }
    }
    const ctx = await track(startApp(new T()));
    const result = await ctx.tasks.long.delay(3);
    const seen: [string, unknown][] = [];
    for await (const record of result.updates()) seen.push([record.state, record.meta ?? record.result]);
    expect(seen.at(-1)).toEqual(['SUCCESS', { current: 3, total: 3, status: 'Task completed!', result: 42 }]);
    const states = seen.map(([s]) => s);
    expect(states.indexOf('UPLOADING')).toBeGreaterThan(states.lastIndexOf('PROGRESS'));
    const progress = seen.filter(([s]) => s === 'PROGRESS').map(([, m]) => (m as { current: number }).current);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('wait({ timeout }) gives up with WaitTimeoutError while the task goes on', async () => {
    const gate = deferred();
    class T {
      @task()
      async slow() {
        await gate.promise;
        return 'done';
      }
    }
    const ctx = await track(startApp(new T()));
    const result = await ctx.tasks.slow.delay();
    await expect(result.wait({ timeout: 50 })).rejects.toBeInstanceOf(WaitTimeoutError);
    gate.resolve();
    expect(await result.wait({ timeout: 2_000 })).toBe('done');
  });

  it('reserves only when a slot is free: the rest stay in the broker', async () => {
    const gate = deferred();
    let running = 0;
    let peak = 0;
    class T {
      @task()
      async hold() {
        peak = Math.max(peak, ++running);
        await gate.promise;
        running--;
      }
    }
    const ctx = await track(startApp(new T(), { concurrency: 2 }));
    const results = await ctx.tasks.hold.bulk([[], [], [], [], []]);
    await vi.waitFor(() => expect(ctx.worker.activeCount).toBe(2));
    expect(await ctx.store.size('default')).toBe(3);
    gate.resolve();
    await Promise.all(results.map((r) => r.wait({ timeout: 2_000 })));
    expect(peak).toBe(2);
  });

  it('fails a message naming an unregistered task with NotRegistered, and goes on', async () => {
    class T {
      @task()
      known() {
        return 'ok';
      }
    }
    // A producer that knows a task no worker has; a broker that cannot filter by task name
    // (as a foreign one may) hands it to this worker anyway.
    const ctx = await track(startApp(new T(), {}, (store) => {
      const reserve = store.reserve.bind(store);
      store.reserve = (request) => reserve({ ...request, tasks: [...request.tasks, 'Ghost.run'] });
    }));
    const ghost = await ctx.app.send('Ghost.run', [1]);
    const error = await ghost.get({ timeout: 2_000 }).catch((e: unknown) => e);
    expect((error as TaskFailedError).remote).toMatchObject({ type: 'NotRegisteredError', code: 'NOT_REGISTERED' });
    expect((error as TaskFailedError).remote.message).toMatch(/Task "Ghost.run" is not registered in this worker/);
    expect(await (await ctx.tasks.known.delay()).get({ timeout: 2_000 })).toBe('ok');
  });

  it('dead-letters a message delivered more often than maxDeliveries and fails its record', async () => {
    let runs = 0;
    class T {
      @task()
      crashy() {
        runs++;
      }
    }
    // As if the message had killed three workers already.
    const ctx = await track(startApp(new T(), { maxDeliveries: 3 }, (store) => {
      const reserve = store.reserve.bind(store);
      store.reserve = async (request) => (await reserve(request)).map((d) => ({ ...d, deliveries: d.deliveries + 3 }));
    }));
    const result = await ctx.tasks.crashy.delay();
    await expect(result.get({ timeout: 2_000 })).rejects.toThrow(/delivered 4 times \(limit 3\)/);
    expect(runs).toBe(0);
    expect((await ctx.store.deadLetters()).map((d) => d.id)).toEqual([result.id]);
  });
});

describe('worker: revoke', () => {
  const track = tracker();
  afterEach(track.closeAll);

  it('a revoked waiting task never starts', async () => {
    let runs = 0;
    class T {
      @task()
      work() {
        runs++;
      }
    }
    const ctx = await track(startApp(new T()));
    const result = await ctx.tasks.work.applyAsync([], { countdown: 200 });
    expect(await ctx.app.revoke(result.id)).toBe('revoked');
    await expect(result.wait({ timeout: 1_000 })).rejects.toBeInstanceOf(TaskRevokedError);
    await new Promise<void>((r) => setTimeout(r, 300));
    expect(runs).toBe(0);
    expect(await ctx.app.revoke(result.id)).toBe('finished');
    expect(await ctx.app.revoke('never-enqueued')).toBe('unknown');
  });

  it('a running task sees its signal abort with TaskRevokedError, ends REVOKED and frees its slot', async () => {
    const started = deferred();
    let reason: unknown;
    class T {
      @task({ bind: true })
      async watch(ctx: TaskContext) {
        started.resolve();
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
        reason = ctx.signal.reason;
        throw ctx.signal.reason;
      }
      @task()
      next() {
        return 'next ran';
      }
    }
    const ctx = await track(startApp(new T(), { concurrency: 1 }));
    const result = await ctx.tasks.watch.delay();
    await started.promise;
    await result.revoke();
    await expect(result.wait({ timeout: 2_000 })).rejects.toBeInstanceOf(TaskRevokedError);
    expect(reason).toBeInstanceOf(TaskRevokedError);
    expect(await (await ctx.tasks.next.delay()).get({ timeout: 2_000 })).toBe('next ran');
    expect(result.state).toBe('REVOKED');
  });
});

describe('worker: graceful shutdown', () => {
  it('stops fetching, lets in-flight tasks finish, and leaves queued ones in the broker', async () => {
    const gate = deferred();
    class T {
      @task()
      async step(n: number) {
        await gate.promise;
        return n;
      }
    }
    const ctx = await startApp(new T(), { concurrency: 1, shutdownTimeout: 5_000 });
    const [first, second] = await ctx.tasks.step.bulk([[1], [2]]);
    await vi.waitFor(() => expect(ctx.worker.activeCount).toBe(1));
    const closing = ctx.worker.close();
    await flush();
    gate.resolve();
    await closing;
    expect(await first?.get({ timeout: 100 })).toBe(1);
    await second?.refresh();
    expect(second?.state).toBe('PENDING');
    expect(await ctx.store.size('default')).toBe(1);
    await ctx.close();
  });

  it('past the deadline, aborts a running task and hands it back: another worker runs it', async () => {
    let runs = 0;
    const stuck = deferred();
    class T {
      @task({ bind: true })
      async stubborn(ctx: TaskContext) {
        runs++;
        if (runs === 1) {
          stuck.resolve();
          await new Promise(() => {}); // ignores its signal: only the deadline ends it
        }
        return `run ${runs} attempt ${ctx.attempt}`;
      }
    }
    const one = await startApp(new T(), { shutdownTimeout: 100 });
    const result = await one.tasks.stubborn.delay();
    await stuck.promise;
    await one.worker.close();
    await result.refresh();
    expect(result.state).toBe('PENDING');
    expect(await one.store.size('default')).toBe(1);
    // A second worker on the same broker picks the handed-back task up.
    const two = one.app.worker({ pollInterval: 50 });
    await two.start();
    expect(await result.get({ timeout: 2_000 })).toBe('run 2 attempt 1');
    await one.close();
  });
});

describe('worker: retries, time limits and expiry on a fake clock', () => {
  const track = tracker();
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await track.closeAll();
  });

  it('retries with a fixed backoff, storing RETRY between attempts, and succeeds', async () => {
    const attempts: number[] = [];
    class T {
      @task({ bind: true, retries: 3, backoff: { type: 'fixed', delay: 1_000, jitter: false } })
      flaky(ctx: TaskContext) {
        attempts.push(ctx.attempt);
        if (ctx.attempt < 3) throw new Error(`attempt ${ctx.attempt} failed`);
        return 'third time lucky';
      }
    }
    const ctx = await track(startApp(new T()));
    const result = await ctx.tasks.flaky.delay();
    await vi.advanceTimersByTimeAsync(10);
    expect(attempts).toEqual([1]);
    await result.refresh();
    expect(result.state).toBe('RETRY');
    expect(result.record?.error?.message).toBe('attempt 1 failed');
    expect(result.record?.meta).toEqual({ countdown: 1_000, nextAttempt: 2 });
    expect(await ctx.store.size('default')).toBe(1); // waiting in the broker, not in the worker
    await vi.advanceTimersByTimeAsync(980);
    expect(attempts).toEqual([1]);
    await vi.advanceTimersByTimeAsync(100);
    expect(attempts).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(1_100);
    expect(attempts).toEqual([1, 2, 3]);
    expect(await result.get()).toBe('third time lucky');
    expect(result.record?.attempt).toBe(3);
  });

  it('gives up after `retries` with exponential backoff, failing with the last error', async () => {
    const times: number[] = [];
    class T {
      @task({ retries: 2, backoff: { type: 'exponential', delay: 1_000, jitter: false } })
      always() {
        times.push(Date.now());
        throw new Error('still broken');
      }
    }
    const ctx = await track(startApp(new T()));
    const result = await ctx.tasks.always.delay();
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(result.get()).rejects.toThrow(/still broken/);
    expect(times).toHaveLength(3);
    const gaps = [(times[1] as number) - (times[0] as number), (times[2] as number) - (times[1] as number)];
    expect(gaps[0]).toBeGreaterThanOrEqual(1_000);
    expect(gaps[0]).toBeLessThan(1_200);
    expect(gaps[1]).toBeGreaterThanOrEqual(2_000);
    expect(gaps[1]).toBeLessThan(2_200);
    expect(result.record?.attempt).toBe(3);
  });

  it('ctx.retry({ countdown }) runs the task again after the countdown', async () => {
    const attempts: number[] = [];
    class T {
      @task({ bind: true, retries: 1 })
      poll(ctx: TaskContext) {
        attempts.push(ctx.attempt);
        if (ctx.attempt === 1) ctx.retry({ countdown: 5_000, reason: 'not ready yet' });
        return 'ready';
      }
    }
    const ctx = await track(startApp(new T()));
    const result = await ctx.tasks.poll.delay();
    await vi.advanceTimersByTimeAsync(4_900);
    expect(attempts).toEqual([1]);
    await result.refresh();
    expect(result.record?.error?.message).toBe('not ready yet');
    await vi.advanceTimersByTimeAsync(200);
    expect(await result.get()).toBe('ready');
  });

  it('the soft time limit aborts the signal so the task can stop cleanly', async () => {
    class T {
      @task({ bind: true, softTimeLimit: 1_000, timeLimit: 5_000 })
      async careful(ctx: TaskContext) {
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
        const reason = ctx.signal.reason as TimeLimitExceededError;
        return `stopped: ${reason.kind} ${reason.limitMs}`;
      }
    }
    const ctx = await track(startApp(new T()));
    const result = await ctx.tasks.careful.delay();
    await vi.advanceTimersByTimeAsync(999);
    await result.refresh();
    expect(result.state).toBe('STARTED');
    await vi.advanceTimersByTimeAsync(2);
    expect(await result.get()).toBe('stopped: soft 1000');
  });

  it('the hard time limit fails a task that ignores its signal and frees the slot', async () => {
    class T {
      @task({ timeLimit: 2_000 })
      async forever() {
        await new Promise(() => {});
      }
      @task()
      quick() {
        return 'quick';
      }
    }
    const ctx = await track(startApp(new T(), { concurrency: 1 }));
    const stuck = await ctx.tasks.forever.delay();
    const after = await ctx.tasks.quick.delay();
    await vi.advanceTimersByTimeAsync(1_990);
    await after.refresh();
    expect(after.state).toBe('PENDING');
    await vi.advanceTimersByTimeAsync(20);
    const error = await stuck.get().catch((e: unknown) => e);
    expect((error as TaskFailedError).remote).toMatchObject({ type: 'TimeLimitExceededError', code: 'TIME_LIMIT_EXCEEDED', message: 'Task exceeded its hard time limit of 2000 ms' });
    await vi.advanceTimersByTimeAsync(100);
    expect(await after.get()).toBe('quick');
  });

  it('an expired task becomes REVOKED without running', async () => {
    let runs = 0;
    class T {
      @task({ expires: 1_000 })
      report() {
        runs++;
      }
    }
    const ctx = await track(startApp(new T()));
    const late = await ctx.tasks.report.applyAsync([], { countdown: 2_000 });
    const onTime = await ctx.tasks.report.applyAsync([], { countdown: 500 });
    await vi.advanceTimersByTimeAsync(2_200);
    await expect(late.get()).rejects.toThrow(/not run: it expired/);
    expect(late.record?.meta).toEqual({ reason: 'expired' });
    await onTime.get();
    expect(runs).toBe(1);
  });
});
