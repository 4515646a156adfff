import type { TaskStore } from '../contracts/task-store.js';
import type { Logger } from '../context/logger.js';
import { serializeError } from '../errors/serialize-error.js';
import { type CeleriacEvent, type CeleriacEventName, type CeleriacEvents, isStreamed } from './event-types.js';

/** Events appended per call at most: a burst is cut into calls of this size. */
const APPEND_BATCH = 1_000;

export interface FollowOptions {
  /** Also the stored events from this time on (ms since the epoch), before the live ones. */
  since?: number;
}

/**
 * The queue-wide event stream (BullMQ's `QueueEvents`, Celery's `-E` events), `app.events`: read
 * it from any process with `follow` or `recent`. What this process appends (with `events: true`)
 * is collected during one turn of the event loop and appended in one store call, so a busy worker
 * makes one write per burst of tasks, not one per event. The store bounds the stream's length.
 */
export class EventStream {
  readonly #store: () => Promise<TaskStore>;
  readonly #logger: Logger;
  #pending: string[] = [];
  #flushing: Promise<void> = Promise.resolve();
  #scheduled = false;
  /** Set while appends fail, so an outage is logged once, not per batch. */
  #failing = false;

  constructor(store: () => Promise<TaskStore>, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
  }

  /**
   * Calls `listener` with every event appended from now on (and, with `since`, the stored ones
   * from then on first), in order, from every process of the deployment. Resolves with a
   * function that stops it once the subscription is live.
   */
  async follow(listener: (event: CeleriacEvent) => void, options: FollowOptions = {}): Promise<() => void> {
    if (typeof listener !== 'function') throw new TypeError('events.follow(listener): the listener must be a function');
    const since = options.since;
    if (since !== undefined && (typeof since !== 'number' || !Number.isFinite(since))) throw new TypeError(`events.follow(listener, { since }): since must be a time in ms since the epoch, got ${String(since)}`);
    const store = await this.#store();
    return store.followEvents((raw) => {
      for (const event of decode(raw)) {
        try {
          listener(event);
        } catch (error) {
          this.#logger.error(`an events.follow listener threw: ${serializeError(error).message}`, { error: serializeError(error) });
        }
      }
    }, since);
  }

  /** The newest `limit` events of the stream (default 100), oldest first. */
  async recent(limit = 100): Promise<CeleriacEvent[]> {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new TypeError(`events.recent(limit): limit must be a positive integer, got ${String(limit)}`);
    return decode(await (await this.#store()).recentEvents(limit));
  }

  /** The sink of this process's events (see `LifecycleEvents.setSink`): queued for the next append. */
  readonly append = (name: CeleriacEventName, payload: CeleriacEvents[CeleriacEventName]): void => {
    if (!isStreamed(name)) return;
    this.#pending.push(JSON.stringify({ type: name, ...payload }));
    if (this.#pending.length >= APPEND_BATCH) this.#flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    }
  };

  /** Appends what is queued; resolves once every append made so far is done (before the store closes). */
  drain(): Promise<void> {
    this.#flush();
    return this.#flushing;
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    // One append at a time, so the stream keeps this process's order.
    this.#flushing = this.#flushing.then(() => this.#appendBatch(batch));
  }

  async #appendBatch(batch: string[]): Promise<void> {
    try {
      await (await this.#store()).appendEvents(batch);
      if (this.#failing) this.#logger.info('events are appended to the event stream again');
      this.#failing = false;
    } catch (error) {
      // Events are a hint: a batch the store refused is dropped, not retried into an outage.
      if (!this.#failing) this.#logger.warn(`could not append ${batch.length} events to the event stream; dropping them while the store fails`, { error: serializeError(error).message });
      this.#failing = true;
    }
  }
}

/** The events of a batch; anything not an event (another producer's garbage) is skipped. */
function decode(raw: readonly string[]): CeleriacEvent[] {
  const events: CeleriacEvent[] = [];
  for (const item of raw) {
    try {
      const event = JSON.parse(item) as unknown;
      if (typeof event === 'object' && event !== null && typeof (event as { type?: unknown }).type === 'string') events.push(event as CeleriacEvent);
    } catch {
      // not JSON: skipped
    }
  }
  return events;
}
