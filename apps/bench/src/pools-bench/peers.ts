import { Worker as Thread } from 'node:worker_threads';
import { Celeriac, type TaskStore, consoleLogger } from '@celeriac/core';
import { createRedisStore } from '@celeriac/redis';
import { Queue, Worker } from 'bullmq';
import { PEER_BULK_CHUNK, type RedisTarget, countdown, expectCount, inChunks, indices, stopwatch } from '../redis-bench/peer.js';
import { HASH_TASK, NOOP_TASK, registerBenchTasks } from './work.js';

/** One measured run: `n` tasks already waiting, processed by a fresh worker. */
export interface PoolRun {
  readonly pool: 'threads' | 'process';
  readonly n: number;
  readonly concurrency: number;
  /** Hash rounds per task, or undefined for no-op tasks. */
  readonly rounds: number | undefined;
}

/**
 * What a run measured: `steady`, seconds from the first stored outcome to the last (the rate of a
 * warm pool, the same cut for every peer); `startup`, seconds from starting the worker to the first
 * outcome (runners starting: Celeriac starts all of them up front, BullMQ as jobs arrive).
 */
export interface Timing {
  readonly steady: number;
  readonly startup: number;
}

/** Counts outcomes, noting when the first one came. */
function outcomes(n: number) {
  const all = countdown(n);
  let first: number | undefined;
  const clock = stopwatch();
  return {
    tick: () => {
      first ??= clock();
      all.tick();
    },
    done: all.done,
    get count() {
      return all.count;
    },
    timing: (): Timing => ({ steady: clock() - (first ?? 0), startup: first ?? 0 }),
  };
}

const CELERIAC_MODULE = new URL('./celeriac-tasks.js', import.meta.url);
const BULLMQ_PROCESSOR = new URL('./bullmq-processor.js', import.meta.url);

/**
 * Celeriac: the tasks enqueued first, then a worker with the pool started and timed until every
 * outcome is stored (runner start-up included, as BullMQ's child start-up is in its figure).
 */
export async function celeriacRun(target: RedisTarget, run: PoolRun): Promise<Timing> {
  const store = createRedisStore({ connection: target.url });
  let done = outcomes(run.n);
  const app = new Celeriac({ store: countingSuccesses(store, () => done.tick()), logger: consoleLogger('warn') });
  const { noop, hash } = registerBenchTasks(app);
  try {
    const results = run.rounds === undefined ? await noop.bulk(indices(run.n).map((i) => [i] as [number])) : await hash.bulk(indices(run.n).map(() => [run.rounds as number] as [number]));
    expectCount('celeriac', 'enqueued tasks', results.length, run.n);
    const worker = app.worker({ pool: run.pool, concurrency: run.concurrency, module: CELERIAC_MODULE });
    done = outcomes(run.n);
    await worker.start();
    await done.done;
    const timing = done.timing();
    await worker.close();
    expectCount('celeriac', 'stored successes', done.count, run.n);
    return timing;
  } finally {
    await app.close();
    await store.close();
  }
}

/**
 * The store, counting the SUCCESS outcomes it accepts: the tasks run in other threads or processes,
 * so the worker's settle is where this process sees each one end (stored, not just computed).
 */
function countingSuccesses(store: TaskStore, tick: () => void): TaskStore {
  return new Proxy(store, {
    get(target, key) {
      if (key === 'settle') {
        return async (...args: Parameters<TaskStore['settle']>) => {
          const result = await target.settle(...args);
          if (result.applied && args[1].state === 'SUCCESS') tick();
          return result;
        };
      }
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** BullMQ's sandboxed processor: `useWorkerThreads` for threads, a child process per slot otherwise. */
export async function bullmqRun(target: RedisTarget, run: PoolRun): Promise<Timing> {
  const connection = { host: target.host, port: target.port, maxRetriesPerRequest: null };
  const queue = new Queue('bench-pools', { connection });
  const name = run.rounds === undefined ? NOOP_TASK : HASH_TASK;
  try {
    const jobs = indices(run.n).map((i) => ({ name, data: run.rounds === undefined ? { i } : { rounds: run.rounds } }));
    expectCount('bullmq', 'added jobs', await inChunks(jobs, PEER_BULK_CHUNK, async (chunk) => (await queue.addBulk(chunk)).length), run.n);
    const worker = new Worker('bench-pools', BULLMQ_PROCESSOR, { connection, concurrency: run.concurrency, useWorkerThreads: run.pool === 'threads', autorun: false });
    worker.on('failed', (_job, error) => console.error(`bullmq job failed: ${error.message}`));
    await worker.waitUntilReady();
    // 'completed' comes once the job is moved to completed, its return value stored.
    const completed = outcomes(run.n);
    worker.on('completed', () => completed.tick());
    const running = worker.run();
    await completed.done;
    const timing = completed.timing();
    await worker.close();
    await running;
    expectCount('bullmq', 'completed jobs in Redis', await queue.getCompletedCount(), run.n);
    return timing;
  } finally {
    await queue.close();
  }
}

/** The same hashing, split over `threads` plain worker threads: no queue, no store; timed once they are up. */
export async function directRun(n: number, rounds: number, threads: number): Promise<Timing> {
  const started = stopwatch();
  let elapsed = started;
  let up = 0;
  const all: Thread[] = [];
  await Promise.all(
    Array.from({ length: threads }, (_, t) => {
      const count = Math.floor(n / threads) + (t < n % threads ? 1 : 0);
      const thread = new Thread(new URL('./direct-thread.js', import.meta.url), { workerData: { count, rounds } });
      return new Promise<void>((resolve, reject) => {
        thread.on('message', (m) => {
          if (m === 'up' && ++up === threads) {
            up = started();
            elapsed = stopwatch();
            for (const t of all) t.postMessage('go');
          } else if (m === 'done') resolve();
        });
        thread.once('error', reject);
        all.push(thread);
      }).finally(() => thread.terminate());
    }),
  );
  return { steady: elapsed(), startup: up };
}
