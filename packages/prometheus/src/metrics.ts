import type { Celeriac } from '@celeriac/core';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { type CeleriacMetricsOptions, DEFAULT_WAIT_BUCKETS, checkMetricsOptions } from './options.js';
import { StoreGauges } from './store-gauges.js';
import { Tally } from './tally.js';

/** What `/metrics` serves: the text exposition and its content type (what `@celeriac/fastify`'s `metrics` option takes). */
export interface MetricsSource {
  /** The content type of `metrics()`'s text (Prometheus text format 0.0.4). */
  readonly contentType: string;
  /** Every metric of the registry, in the Prometheus text format; reads the queue and worker gauges (cached for `cacheMs`). */
  metrics(): Promise<string>;
}

/** The Celeriac metrics of one app (`celeriacMetrics(app)`). */
export interface CeleriacMetrics extends MetricsSource {
  /** Where the metrics are registered (add your own, or merge it with prom-client's default registry). */
  readonly registry: Registry;
  /** Stops counting this app's events (the metrics stay registered). */
  close(): void;
}

/**
 * Prometheus metrics of `app`, counted from its lifecycle events (`app.on`): what this process's
 * producer sends and its workers run. Queue depth and workers online are read from the store on
 * scrape, so they are the whole deployment's, whichever process serves them.
 */
export function celeriacMetrics(app: Celeriac, options: CeleriacMetricsOptions = {}): CeleriacMetrics {
  checkMetricsOptions(options);
  const registry = options.registry ?? new Registry();
  const prefix = options.prefix ?? 'celeriac_';
  const registers = [registry];
  // Counted in tallies, handed to prom-client on scrape (see Tally); `collect` runs with the counter as `this`.
  const sentTally = new Tally<'task' | 'queue'>();
  const finishedTally = new Tally<'task' | 'state'>();
  const retriesTally = new Tally<'task'>();
  const deadLettersTally = new Tally<'task'>();
  new Counter({ name: `${prefix}tasks_sent_total`, help: 'Tasks enqueued by this process, by task name and queue.', labelNames: ['task', 'queue'], registers, collect() { sentTally.flushTo(this); } });
  new Counter({ name: `${prefix}tasks_total`, help: 'Task runs that ended in a final state (SUCCESS, FAILURE, REVOKED), by task name.', labelNames: ['task', 'state'], registers, collect() { finishedTally.flushTo(this); } });
  new Counter({ name: `${prefix}task_retries_total`, help: 'Task runs that failed and were scheduled to run again, by task name.', labelNames: ['task'], registers, collect() { retriesTally.flushTo(this); } });
  new Counter({ name: `${prefix}dead_letters_total`, help: 'Task messages moved to the dead-letter queue, by task name.', labelNames: ['task'], registers, collect() { deadLettersTally.flushTo(this); } });
  const finish = (task: string, state: 'SUCCESS' | 'FAILURE' | 'REVOKED') => finishedTally.add(`${state}\0${task}`, () => ({ task, state }));
  const runtime = new Histogram({ name: `${prefix}task_runtime_seconds`, help: 'From a run\'s start to its outcome (SUCCESS or FAILURE), by task name.', labelNames: ['task'], registers, ...(options.runtimeBuckets === undefined ? {} : { buckets: options.runtimeBuckets }) });
  const wait = new Histogram({ name: `${prefix}task_wait_seconds`, help: 'Time in the queue: from when a task was sent, or became due (countdown, eta, retry backoff), to its start.', labelNames: ['task', 'queue'], registers, buckets: options.waitBuckets ?? DEFAULT_WAIT_BUCKETS });
  const gauges = new StoreGauges(app, options.cacheMs ?? 5_000);
  new Gauge({ name: `${prefix}queue_tasks`, help: 'Tasks in each queue by state (waiting, delayed, running), read from the store.', labelNames: ['queue', 'state'], registers, collect: gauges.queues() });
  new Gauge({ name: `${prefix}queue_oldest_waiting_seconds`, help: 'Age of the oldest waiting task of each queue (0 when none waits).', labelNames: ['queue'], registers, collect: gauges.oldest() });
  new Gauge({ name: `${prefix}workers_online`, help: 'Live workers of the deployment (app.workers.list()).', registers, collect: gauges.workers() });

  const off = [
    app.on('task-sent', (e) => sentTally.add(`${e.queue}\0${e.task}`, () => ({ task: e.task, queue: e.queue }))),
    app.on('task-started', (e) => wait.observe({ task: e.task, queue: e.queue }, e.waitMs / 1000)),
    app.on('task-succeeded', (e) => {
      finish(e.task, 'SUCCESS');
      runtime.observe({ task: e.task }, e.runtimeMs / 1000);
    }),
    app.on('task-failed', (e) => {
      finish(e.task, 'FAILURE');
      runtime.observe({ task: e.task }, e.runtimeMs / 1000);
    }),
    app.on('task-revoked', (e) => finish(e.task, 'REVOKED')),
    app.on('task-retried', (e) => retriesTally.add(e.task, () => ({ task: e.task }))),
    app.on('task-dead-lettered', (e) => deadLettersTally.add(e.task, () => ({ task: e.task }))),
  ];
  return {
    registry,
    contentType: registry.contentType,
    metrics: () => registry.metrics(),
    close: () => {
      for (const stop of off) stop();
    },
  };
}
