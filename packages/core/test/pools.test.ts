import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Celeriac, InvalidOptionError, type TaskRecord, type Worker, type WorkerOptions, task } from '../src/index.js';
import { app, logged } from './fixtures/pool-app.mjs';

// Real threads and child processes: the runners load fixtures/pool-app.mjs on the built packages.
const MODULE = new URL('./fixtures/pool-app.mjs', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'celeriac-pools-'));
let files = 0;
const file = () => join(dir, `f${++files}`);
const ticks = (path: string) => Number(readFileSync(path, 'utf8'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
});
afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

async function startWorker(options: WorkerOptions): Promise<Worker> {
  const worker = app.worker({ module: MODULE, pollInterval: 50, shutdownTimeout: 0, ...options });
  workers.push(worker);
  await worker.start();
  return worker;
}

async function outcome(id: string, timeout = 10_000): Promise<TaskRecord> {
  await app
    .result(id)
    .wait({ timeout })
    .catch(() => undefined);
  return (await app.result(id).refresh()).record as TaskRecord;
}

async function states(id: string): Promise<string[]> {
  const seen: string[] = [];
  await (await app.connect()).subscribe(id, (r) => seen.push(r.state));
  return seen;
}

describe.each(['threads', 'process'] as const)('the %s pool', (pool) => {
  it('ends a 3 s synchronous busy loop with timeLimit 1000 as FAILURE at ~1 s, and its side effects stop', async () => {
    await startWorker({ pool, concurrency: 1 });
    const counter = file();
    const started = Date.now();
    const result = await app.send('pool.busyLimited', [3_000, counter]);
    const record = await outcome(result.id);
    const elapsed = Date.now() - started;
    expect(record.state).toBe('FAILURE');
    expect(record.error?.type).toBe('TimeLimitExceededError');
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(elapsed).toBeLessThan(1_700);
    const atFailure = ticks(counter);
    await sleep(700);
    expect(ticks(counter)).toBe(atFailure);
    expect(atFailure).toBeLessThan(30); // a tick per 50 ms: ~20 in 1 s, 60 had it run on
    // The runner was replaced: the next task runs.
    expect(await (await app.send('pool.echo', [1])).wait({ timeout: 10_000 })).toEqual([1]);
  });

  it('stops a busy loop that ignored its soft limit once the hard limit passes', async () => {
    await startWorker({ pool, concurrency: 1 });
    const counter = file();
    const started = Date.now();
    const record = await outcome((await app.send('pool.busySoftHard', [3_000, counter])).id);
    expect([record.state, record.error?.message]).toEqual(['FAILURE', 'Task exceeded its hard time limit of 1000 ms']);
    expect(Date.now() - started).toBeLessThan(1_700);
    const atFailure = ticks(counter);
    await sleep(500);
    expect(ticks(counter)).toBe(atFailure);
  });

  it('gives a bound task the same context across the boundary: progress, user states, logger, retry', async () => {
    await startWorker({ pool, concurrency: 2 });
    const id = `ctx-${pool}`;
    const seen = await states(id);
    const result = await app.send('pool.context', [7], { taskId: id });
    expect(await result.wait({ timeout: 10_000 })).toEqual({ attempt: 2, retries: 1, id, name: 'pool.context' });
    expect(seen).toEqual(['PENDING', 'STARTED', 'PROGRESS', 'ALMOST', 'RETRY', 'STARTED', 'PROGRESS', 'ALMOST', 'SUCCESS']);
    expect(logged).toContainEqual({ message: 'from the runner', fields: { taskId: id, task: 'pool.context', n: 7, attempt: 1 } });
  });

  it('aborts the signal at the soft limit with the same error class as inline', async () => {
    await startWorker({ pool, concurrency: 1 });
    expect(await (await app.send('pool.soft', [])).wait({ timeout: 10_000 })).toBe('TimeLimitExceededError');
  });

  it.each(['exit', 'throw'])('loses one task when the runner dies (%s) mid-task; it is retried, and the task beside it is untouched', async (how) => {
    await startWorker({ pool, concurrency: 2 });
    const beside = await app.send('pool.busy', [600, file()]);
    const crashing = await app.send('pool.crash', [how, file()]);
    expect(await crashing.wait({ timeout: 15_000 })).toBe('survived');
    const record = await outcome(crashing.id);
    expect(record.attempt).toBe(2);
    expect((await outcome(beside.id)).state).toBe('SUCCESS');
  });

  if (pool === 'process') it('loses one task when the runner process dies of a signal (SIGSEGV, as a native addon crash) mid-task; it is retried', async () => {
    await startWorker({ pool, concurrency: 1 });
    const crashing = await app.send('pool.crash', ['segv', file()]);
    expect(await crashing.wait({ timeout: 15_000 })).toBe('survived');
    expect((await outcome(crashing.id)).attempt).toBe(2);
  });

  if (pool === 'process') it('loses one task when the runner process is killed from outside (SIGKILL) mid-task; it is retried', async () => {
    await startWorker({ pool, concurrency: 1 });
    const marker = file();
    const killed = await app.send('pool.crash', ['kill', marker]);
    while (readable(marker) === 0) await sleep(20);
    process.kill(ticks(marker), 'SIGKILL');
    expect(await killed.wait({ timeout: 15_000 })).toBe('survived');
    const record = await outcome(killed.id);
    expect(record.attempt).toBe(2);
  });

  it('terminates a revoked task that ignores its signal after revokeGracePeriod', async () => {
    await startWorker({ pool, concurrency: 1, revokeGracePeriod: 300 });
    const counter = file();
    const result = await app.send('pool.ignoreAbort', [10_000, counter]);
    while (readable(counter) === 0) await sleep(20);
    await app.revoke(result.id);
    await sleep(600);
    const after = ticks(counter);
    await sleep(400);
    expect(ticks(counter)).toBe(after);
    expect((await outcome(result.id)).state).toBe('REVOKED');
    expect(await (await app.send('pool.echo', [2])).wait({ timeout: 10_000 })).toEqual([2]);
  });

  it('applies the retry policy decided in the runner: UnrecoverableError, retryOn classes, a backoff function, non-JSON results', async () => {
    await startWorker({ pool, concurrency: 2 });
    const unrecoverable = await outcome((await app.send('pool.unrecoverable', [])).id);
    expect([unrecoverable.state, unrecoverable.attempt, unrecoverable.error?.type]).toEqual(['FAILURE', 1, 'UnrecoverableError']);
    const typeFile = file();
    const rangeFile = file();
    const retried = await outcome((await app.send('pool.onlyTypeErrors', ['type', typeFile])).id);
    const notRetried = await outcome((await app.send('pool.onlyTypeErrors', ['range', rangeFile])).id);
    expect([retried.state, retried.attempt, readFileSync(typeFile, 'utf8')]).toEqual(['FAILURE', 4, 'xxxx']);
    expect([notRetried.state, notRetried.attempt, readFileSync(rangeFile, 'utf8')]).toEqual(['FAILURE', 1, 'x']);
    expect((await outcome((await app.send('pool.notJson', [])).id)).error?.type).toBe('SerializationError');
  });

  it('recycles runners after maxTasksPerRunner, and runs a task with pool: "inline" on the worker', async () => {
    await startWorker({ pool, concurrency: 1, maxTasksPerRunner: 1 });
    const first = (await (await app.send('pool.where', [])).wait({ timeout: 10_000 })) as { pid: number; thread: number };
    const second = (await (await app.send('pool.where', [])).wait({ timeout: 10_000 })) as { pid: number; thread: number };
    if (pool === 'process') {
      expect(first.pid).not.toBe(process.pid);
      expect(second.pid).not.toBe(first.pid);
    } else {
      expect(first.pid).toBe(process.pid);
      expect(second.thread).not.toBe(first.thread);
    }
    expect(await (await app.send('pool.inlineOnly', [])).wait({ timeout: 10_000 })).toEqual({ pid: process.pid, thread: threadId });
  });

  it('recycles a runner whose memory after a task is above maxMemoryPerRunner', async () => {
    await startWorker({ pool, concurrency: 1, maxMemoryPerRunner: 1 }); // 1 MB: every runner is above it
    const first = (await (await app.send('pool.where', [])).wait({ timeout: 10_000 })) as { pid: number; thread: number };
    const second = (await (await app.send('pool.where', [])).wait({ timeout: 10_000 })) as { pid: number; thread: number };
    expect(pool === 'process' ? second.pid : second.thread).not.toBe(pool === 'process' ? first.pid : first.thread);
  });
});

function readable(path: string): number {
  try {
    return ticks(path);
  } catch {
    return 0;
  }
}

describe('pool options', () => {
  it('refuses to start without a module, with a module that cannot be loaded, or one that exports no app', async () => {
    const option = (worker: Worker) => worker.start().then(() => 'started', (e: unknown) => (e instanceof InvalidOptionError ? e.option : String(e)));
    const noModule = app.worker({ pool: 'threads' });
    expect(await option(noModule)).toBe('module');
    const missing = app.worker({ pool: 'process', module: join(dir, 'nowhere.mjs') });
    expect(await option(missing)).toBe('module');
    const noApp = app.worker({ pool: 'threads', module: new URL('./fixtures/no-app.mjs', import.meta.url), concurrency: 1 });
    await expect(noApp.start()).rejects.toThrow(/must export the Celeriac app as its default export or as `app`/);
    for (const w of [noModule, missing, noApp]) await w.close();
  });

  it('checks pool options eagerly, naming the option', () => {
    expect(() => app.worker({ pool: 'fork' as never })).toThrow(/option "pool" must be one of "inline", "threads", "process"/);
    expect(() => app.worker({ maxTasksPerRunner: 0 })).toThrow(/option "maxTasksPerRunner"/);
    expect(() => app.worker({ module: 3 as never })).toThrow(/option "module"/);
    expect(() => app.task({ name: 'bad.pool', pool: 'gpu' as never }, () => 1)).toThrow(/option "pool"/);
    expect(() => app.task({ name: 'bad.retryOn', retryOn: TypeError as never }, () => 1)).toThrow(/option "retryOn" takes error classes in an array/);
  });
});

describe('the inline pool', () => {
  it('fails a synchronous task that blocked the loop past its hard limit, though the timer could not fire', async () => {
    class Blocking {
      @task({ name: 'inline.block', timeLimit: 100 })
      block() {
        const end = Date.now() + 300;
        while (Date.now() < end);
        return 'done';
      }
    }
    const inline = new Celeriac({ logger: { debug() {}, info() {}, warn() {}, error() {} } });
    inline.register(new Blocking());
    await inline.worker({ pollInterval: 50 }).start();
    const result = await inline.send('inline.block', []);
    await expect(result.wait({ timeout: 5_000 })).rejects.toThrow(/hard time limit of 100 ms/);
    await inline.close();
  });
});
