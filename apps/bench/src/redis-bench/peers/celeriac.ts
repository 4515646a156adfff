import { type AsyncResult, Celeriac, consoleLogger } from '@celeriac/core';
import { createRedisStore } from '@celeriac/redis';
import { STREAM_EVENTS } from '../../env.js';
import { type Order, type PayloadKind, argument, invoice } from '../payload.js';
import { LATENCY_CONCURRENCY, type Peer, type RedisTarget, countdown, expectCount, indices, stopwatch } from '../peer.js';

/** Completed tasks whose stored state is read back after a processing run (spread over the run). */
const VERIFY_SAMPLE = 200;

/** One app over a fresh Redis store, with a no-op task calling `onRun` each time it runs. */
async function open(target: RedisTarget, onRun: () => void = () => {}) {
  const store = createRedisStore({ connection: target.url });
  await store.connect();
  const app = new Celeriac({ store, logger: consoleLogger('warn'), events: STREAM_EVENTS });
  const noop = app.task({ name: 'bench.noop' }, (_i: number) => {
    onRun();
    return null;
  });
  const kb = app.task({ name: 'bench.1kb' }, (o: Order) => {
    onRun();
    return invoice(o);
  });
  /** `n` tasks of a kind through the handle's bulk API. */
  const bulk = (kind: PayloadKind, n: number): Promise<AsyncResult<unknown>[]> =>
    kind === 'noop' ? noop.bulk(indices(n).map((i) => [i] as [number])) : kb.bulk(indices(n).map((i) => [argument(kind, i) as Order] as [Order]));
  const close = async () => {
    await app.close(); // its workers; the store was passed in, so it is ours to close
    await store.close();
  };
  return { app, noop, bulk, close };
}

export class CeleriacPeer implements Peer {
  readonly name = 'celeriac';

  constructor(private readonly target: RedisTarget) {}

  async enqueueBulk(n: number, kind: PayloadKind): Promise<number> {
    const { bulk, close } = await open(this.target);
    try {
      const elapsed = stopwatch();
      const results = await bulk(kind, n);
      const seconds = elapsed();
      expectCount(this.name, 'enqueued tasks', results.length, n);
      return seconds;
    } finally {
      await close();
    }
  }

  async process(n: number, concurrency: number, kind: PayloadKind): Promise<number> {
    const runs = countdown(n);
    const { app, bulk, close } = await open(this.target, () => runs.tick());
    try {
      const results = await bulk(kind, n);
      const worker = app.worker({ concurrency });
      const elapsed = stopwatch();
      await worker.start();
      await runs.done;
      // A task counts as complete once its outcome is stored and its delivery acknowledged, which
      // is when the worker lets go of it.
      while (worker.activeCount > 0) await new Promise((resolve) => setTimeout(resolve, 1));
      const seconds = elapsed();
      await worker.close();
      await verifyStored(results);
      expectCount(this.name, 'task runs', runs.count, n);
      return seconds;
    } finally {
      await close();
    }
  }

  async latency(n: number): Promise<number[]> {
    const { app, noop, close } = await open(this.target);
    try {
      await app.worker({ concurrency: LATENCY_CONCURRENCY }).start();
      const samples: number[] = [];
      for (let i = 0; i < n; i++) {
        const elapsed = stopwatch();
        const result = await noop.delay(i);
        await result.wait();
        samples.push(elapsed() * 1000);
      }
      return samples;
    } finally {
      await close();
    }
  }

  async close(): Promise<void> {}
}

/** Reads back a sample of records spread over the run, the last one included: all must be SUCCESS. */
async function verifyStored(results: readonly AsyncResult<unknown>[]): Promise<void> {
  const step = Math.max(1, Math.floor(results.length / VERIFY_SAMPLE));
  const sample = results.filter((_, i) => i % step === 0 || i === results.length - 1);
  await Promise.all(sample.map((r) => r.refresh()));
  const unfinished = sample.filter((r) => r.state !== 'SUCCESS');
  if (unfinished.length > 0) {
    throw new Error(`celeriac: ${unfinished.length} of ${sample.length} sampled tasks are not SUCCESS (e.g. ${unfinished[0]?.id} is ${unfinished[0]?.state})`);
  }
}
