import type { Celeriac } from '@celeriac/core';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { LiveResources } from './live/live-resources.js';
import { ThroughputTracker } from './live/throughput.js';
import type { ResolvedOptions } from './resolve-options.js';

/** A resource the pages read and watch: parses its query (a bad one throws a 400) into the read. */
export type Resource = (query: URLSearchParams) => () => Promise<unknown>;

/** A group of routes: the resources it serves at `GET api/<name>` (and live), and any other routes. */
export interface RouteGroup {
  readonly resources?: Readonly<Record<string, Resource>>;
  register?(instance: FastifyInstance): void;
}

/** What every route of one mounted dashboard shares. */
export class Dashboard {
  readonly app: Celeriac;
  readonly options: ResolvedOptions;
  readonly throughput: ThroughputTracker;
  readonly live: LiveResources;
  /** One controller per open event stream, aborted when the server closes. */
  readonly streams = new Set<AbortController>();
  readonly #log: FastifyBaseLogger;
  #unfollow: Promise<() => void> | undefined;

  constructor(options: ResolvedOptions, log: FastifyBaseLogger) {
    this.app = options.app;
    this.options = options;
    this.#log = log;
    // A bucket no narrower than a second, nor than the reads that fill it from heartbeats.
    this.throughput = new ThroughputTracker(Math.max(1_000, options.refreshInterval));
    this.live = new LiveResources(options.refreshInterval, log);
  }

  /**
   * Follows the queue-wide event stream for the throughput chart, from the first page opened
   * until the server closes: the chart then has history when a page is opened again.
   */
  followEvents(): void {
    this.#unfollow ??= this.app.events.follow(this.throughput.event).catch((error: unknown) => {
      this.#log.warn({ err: error }, '@celeriac/dashboard: cannot follow the event stream; the throughput chart counts from worker heartbeats only');
      this.#unfollow = undefined;
      return () => undefined;
    });
  }

  async close(): Promise<void> {
    for (const controller of this.streams) controller.abort();
    this.live.close();
    const unfollow = this.#unfollow;
    this.#unfollow = undefined;
    if (unfollow !== undefined) (await unfollow)();
  }
}
