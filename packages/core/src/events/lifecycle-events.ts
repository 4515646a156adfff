import type { Logger } from '../context/logger.js';
import { serializeError } from '../errors/serialize-error.js';
import type { CeleriacEventName, CeleriacEvents, CeleriacListener } from './event-types.js';

type AnyListener = (payload: never) => unknown;

/** Receives every event emitted (the queue-wide stream's appender). */
export type EventSink = (name: CeleriacEventName, payload: CeleriacEvents[CeleriacEventName]) => void;

/**
 * Typed lifecycle events of one app or one worker. A worker's events go to its own listeners,
 * then to its app's (the parent). Emitting is meant to cost nothing when nobody listens: callers
 * ask `wants(name)` before they build a payload, and that is a counter check per level.
 *
 * A listener that throws (or rejects) is logged at error and the others still run: an
 * observer's bug must not break the worker it observes.
 */
export class LifecycleEvents {
  readonly #listeners = new Map<CeleriacEventName, AnyListener[]>();
  /** Listeners of all names, the sink included: zero means `wants` is false here. */
  #count = 0;
  #sink: EventSink | undefined;
  readonly #parent: LifecycleEvents | undefined;
  readonly #logger: () => Logger;

  constructor(logger: () => Logger, parent?: LifecycleEvents) {
    this.#logger = logger;
    this.#parent = parent;
  }

  /** Calls `listener` with every `name` event; returns a function that removes it. */
  on<K extends CeleriacEventName>(name: K, listener: CeleriacListener<K>): () => void {
    if (typeof listener !== 'function') throw new TypeError(`on("${String(name)}", listener): the listener must be a function`);
    const list = this.#listeners.get(name);
    // Copy on write: an emit in progress keeps iterating the list it started with.
    this.#listeners.set(name, list === undefined ? [listener as AnyListener] : [...list, listener as AnyListener]);
    this.#count++;
    return () => this.off(name, listener);
  }

  /** Removes a listener added with `on` (the first registration of it, if added twice). */
  off<K extends CeleriacEventName>(name: K, listener: CeleriacListener<K>): void {
    const list = this.#listeners.get(name);
    const index = list?.indexOf(listener as AnyListener) ?? -1;
    if (list === undefined || index < 0) return;
    const rest = list.filter((_, i) => i !== index);
    if (rest.length === 0) this.#listeners.delete(name);
    else this.#listeners.set(name, rest);
    this.#count--;
  }

  /** Sends every event to `sink` too (or stops, with `undefined`). */
  setSink(sink: EventSink | undefined): void {
    if ((this.#sink === undefined) !== (sink === undefined)) this.#count += sink === undefined ? -1 : 1;
    this.#sink = sink;
  }

  /** Whether anyone here or in the parent would receive a `name` event: build its payload only then. */
  wants(name: CeleriacEventName): boolean {
    if (this.#count !== 0 && (this.#sink !== undefined || this.#listeners.has(name))) return true;
    return this.#parent !== undefined && this.#parent.wants(name);
  }

  emit<K extends CeleriacEventName>(name: K, payload: CeleriacEvents[K]): void {
    if (this.#count !== 0) {
      const list = this.#listeners.get(name);
      if (list !== undefined) for (const listener of list) this.#call(name, listener as (p: CeleriacEvents[K]) => unknown, payload);
      if (this.#sink !== undefined) this.#call(name, (p: CeleriacEvents[K]) => this.#sink?.(name, p), payload);
    }
    this.#parent?.emit(name, payload);
  }

  #call<P>(name: CeleriacEventName, listener: (payload: P) => unknown, payload: P): void {
    try {
      const returned = listener(payload);
      if (isThenable(returned)) returned.then(undefined, (error: unknown) => this.#failed(name, error));
    } catch (error) {
      this.#failed(name, error);
    }
  }

  #failed(name: CeleriacEventName, error: unknown): void {
    const { message, stack } = serializeError(error);
    try {
      this.#logger().error(`a listener of "${name}" threw: ${message}`, { event: name, error: { message, stack } });
    } catch {
      // A logger that throws has nowhere left to report to.
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
