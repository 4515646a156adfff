import type { FastifyBaseLogger } from 'fastify';

/** Receives a watched resource's JSON whenever it changed. */
export type Subscriber = (key: string, json: string) => void;

interface Watch {
  readonly fetch: () => Promise<unknown>;
  readonly subscribers: Set<Subscriber>;
  /** The JSON last sent, to send only what changed. */
  last: string | undefined;
  busy: boolean;
}

/**
 * The resources open pages watch, read from the admin API every `intervalMs` while anyone watches
 * them and pushed only when they changed. Pages watching the same resource share one read, so ten
 * open tabs cost the store what one does; with no page open, nothing is read at all.
 */
export class LiveResources {
  readonly #watches = new Map<string, Watch>();
  readonly #intervalMs: number;
  readonly #log: FastifyBaseLogger;
  #timer: NodeJS.Timeout | undefined;
  /** Set while reads fail, so an outage is logged once per resource, not per interval. */
  readonly #failing = new Set<string>();

  constructor(intervalMs: number, log: FastifyBaseLogger) {
    this.#intervalMs = intervalMs;
    this.#log = log;
  }

  /** Sends `key` to `subscriber` now (as last read, or once read) and whenever it changes; returns the unsubscribe. */
  watch(key: string, fetch: () => Promise<unknown>, subscriber: Subscriber): () => void {
    let watch = this.#watches.get(key);
    if (watch === undefined) {
      watch = { fetch, subscribers: new Set(), last: undefined, busy: false };
      this.#watches.set(key, watch);
    }
    watch.subscribers.add(subscriber);
    if (watch.last !== undefined) subscriber(key, watch.last);
    else void this.#refresh(key, watch);
    this.#timer ??= setInterval(() => this.#tick(), this.#intervalMs);
    const current = watch;
    return () => {
      current.subscribers.delete(subscriber);
      if (current.subscribers.size === 0 && this.#watches.get(key) === current) this.#watches.delete(key);
      if (this.#watches.size === 0) this.close();
    };
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    for (const [key, watch] of this.#watches) void this.#refresh(key, watch);
  }

  async #refresh(key: string, watch: Watch): Promise<void> {
    // A read slower than the interval is not stacked up behind itself.
    if (watch.busy) return;
    watch.busy = true;
    try {
      const json = JSON.stringify(await watch.fetch());
      if (this.#failing.delete(key)) this.#log.info({ resource: key }, '@celeriac/dashboard: reading the resource works again');
      if (json === watch.last) return;
      watch.last = json;
      for (const subscriber of watch.subscribers) subscriber(key, json);
    } catch (error) {
      if (!this.#failing.has(key)) this.#log.warn({ err: error, resource: key }, '@celeriac/dashboard: could not read a watched resource; retrying every interval');
      this.#failing.add(key);
    } finally {
      watch.busy = false;
    }
  }
}
