import type { Celeriac, QueueInfo } from '@celeriac/core';
import type { Gauge } from 'prom-client';

interface Snapshot {
  queues: QueueInfo[];
  workers: number;
}

type Collect = (this: Gauge) => Promise<void>;

/**
 * The gauges read from the store (`app.queues.list()`, `app.workers.list()`), on scrape: one read
 * serves every scrape within `cacheMs`, and concurrent scrapes share the read in flight.
 */
export class StoreGauges {
  readonly #app: Celeriac;
  readonly #cacheMs: number;
  #read: Promise<Snapshot> | undefined;
  #readAt = 0;

  constructor(app: Celeriac, cacheMs: number) {
    this.#app = app;
    this.#cacheMs = cacheMs;
  }

  snapshot(): Promise<Snapshot> {
    const now = Date.now();
    if (this.#read === undefined || now - this.#readAt >= this.#cacheMs) {
      this.#readAt = now;
      const read = Promise.all([this.#app.queues.list(), this.#app.workers.list()]).then(([queues, workers]) => ({ queues, workers: workers.length }));
      // A failed read is not kept: the next scrape tries again.
      read.catch(() => (this.#read = undefined));
      this.#read = read;
    }
    return this.#read;
  }

  // prom-client calls `collect` with the gauge as `this`, so these are plain functions over `gauges`.
  queues(): Collect {
    const gauges = this;
    return async function (this: Gauge) {
      const { queues } = await gauges.snapshot();
      this.reset();
      for (const q of queues) {
        this.set({ queue: q.name, state: 'waiting' }, q.waiting);
        this.set({ queue: q.name, state: 'delayed' }, q.delayed);
        this.set({ queue: q.name, state: 'running' }, q.running);
      }
    };
  }

  oldest(): Collect {
    const gauges = this;
    return async function (this: Gauge) {
      const { queues } = await gauges.snapshot();
      const now = Date.now();
      this.reset();
      for (const q of queues) this.set({ queue: q.name }, q.oldestWaitingAt === null ? 0 : Math.max(0, now - q.oldestWaitingAt) / 1000);
    };
  }

  workers(): Collect {
    const gauges = this;
    return async function (this: Gauge) {
      this.set((await gauges.snapshot()).workers);
    };
  }
}
