import type { BroadcastListener, ConnectionListener, EventsListener, WorkerInfo } from '@celeriac/core/adapter';

export const DEFAULT_EVENT_LIMIT = 10_000;

/**
 * The worker registry, the broadcast channel and the event stream of one memory backend (the
 * "Workers and events" section of the store contract), for the processes sharing it: this one.
 * Listeners are called on a later microtask, as a server's would be, never inside the caller's
 * call. `MemoryBackend` extends it: these are its section-8 methods.
 */
export class MemoryWorkersAndEvents {
  readonly #workers = new Map<string, { info: WorkerInfo; expiresAt: number }>();
  readonly #broadcastListeners = new Set<BroadcastListener>();
  /** The stream, oldest first; up to a tenth over the limit until the next trim. */
  #events: { at: number; data: string }[] = [];
  readonly #followers = new Set<EventsListener>();
  readonly #limit: number;

  constructor(eventLimit = DEFAULT_EVENT_LIMIT) {
    if (!Number.isSafeInteger(eventLimit) || eventLimit < 1) throw new TypeError(`option "eventLimit" must be a positive integer, got ${String(eventLimit)}`);
    this.#limit = eventLimit;
  }

  async heartbeatWorker(info: WorkerInfo, ttlMs: number): Promise<void> {
    this.#workers.set(info.id, { info: structuredClone(info), expiresAt: Date.now() + ttlMs });
  }

  async removeWorker(id: string): Promise<void> {
    this.#workers.delete(id);
  }

  async workers(): Promise<WorkerInfo[]> {
    const now = Date.now();
    const live: WorkerInfo[] = [];
    for (const [id, { info, expiresAt }] of this.#workers) {
      if (expiresAt <= now) this.#workers.delete(id);
      else live.push(structuredClone(info));
    }
    return live;
  }

  async broadcast(message: string): Promise<void> {
    for (const listener of [...this.#broadcastListeners]) queueMicrotask(() => callSafely(listener, message));
  }

  async onBroadcast(listener: BroadcastListener): Promise<() => void> {
    // A wrapper per call: the same function subscribed twice is two subscriptions.
    const own: BroadcastListener = (message) => listener(message);
    this.#broadcastListeners.add(own);
    return () => this.#broadcastListeners.delete(own);
  }

  async appendEvents(events: readonly string[]): Promise<void> {
    if (events.length === 0) return;
    const at = Date.now();
    for (const data of events) this.#events.push({ at, data });
    // Trimmed in chunks, not per event: a copy per append would cost more than the stream.
    if (this.#events.length > this.#limit + Math.ceil(this.#limit / 10)) this.#events = this.#events.slice(-this.#limit);
    const batch = [...events];
    for (const follower of [...this.#followers]) queueMicrotask(() => callSafely(follower, batch));
  }

  async recentEvents(limit: number): Promise<string[]> {
    const kept = this.#events.slice(-this.#limit);
    return kept.slice(-limit).map((e) => e.data);
  }

  async followEvents(listener: EventsListener, since?: number): Promise<() => void> {
    const own: EventsListener = (events) => listener(events);
    if (since !== undefined) {
      const earlier = this.#events.slice(-this.#limit).filter((e) => e.at >= since).map((e) => e.data);
      // Queued before any later append's delivery, so none is missed or seen twice.
      if (earlier.length > 0) queueMicrotask(() => callSafely(own, earlier));
    }
    this.#followers.add(own);
    return () => this.#followers.delete(own);
  }

  /** Memory has no server to lose: the listener is never called. */
  onConnectionChange(_listener: ConnectionListener): () => void {
    return () => undefined;
  }

  /** Drops every listener (the backend is closing). */
  protected closeWorkersAndEvents(): void {
    this.#broadcastListeners.clear();
    this.#followers.clear();
  }
}

function callSafely<T>(listener: (value: T) => void, value: T): void {
  try {
    listener(value);
  } catch {
    // One listener's bug must not starve the others (the caller logs its own).
  }
}
