import type { TaskStore } from '../contracts/task-store.js';
import type { WorkerInfo } from '../contracts/workers.js';
import { randomUuid } from '../internal/random-uuid.js';
import { type PingReply, decodeControl, encodeControl } from '../events/control.js';

/** How long `ping` waits for answers by default, in ms. */
export const DEFAULT_PING_TIMEOUT = 1_000;

/**
 * The live workers of the deployment, from any process (`app.workers`; Celery's `inspect stats`,
 * `active` and `ping`).
 */
export class Workers {
  readonly #store: () => Promise<TaskStore>;

  constructor(store: () => Promise<TaskStore>) {
    this.#store = store;
  }

  /**
   * Every live worker (one that closed is gone at once; one killed, once three of its heartbeats
   * are missed), by id, with what its last heartbeat said: queues, concurrency, pool, running
   * tasks, processed and failed counts.
   */
  async list(): Promise<WorkerInfo[]> {
    const workers = await (await this.#store()).workers();
    return workers.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * Asks every live worker to answer, and resolves with the answers, fastest first: as soon as
   * every listed worker answered, or after `timeoutMs` (default 1 s) with those that did.
   */
  async ping(timeoutMs = DEFAULT_PING_TIMEOUT): Promise<PingReply[]> {
    if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new TypeError(`workers.ping(timeoutMs): timeoutMs must be a positive number of ms, got ${String(timeoutMs)}`);
    }
    const store = await this.#store();
    const id = randomUuid();
    const replies = new Map<string, PingReply>();
    let expected = Infinity;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    let sentAt = 0;
    const unlisten = await store.onBroadcast((raw) => {
      const message = decodeControl(raw);
      if (message?.type !== 'pong' || message.id !== id || replies.has(message.worker)) return;
      replies.set(message.worker, { worker: message.worker, host: message.host, pid: message.pid, latencyMs: Math.round(performance.now() - sentAt) });
      if (replies.size >= expected) done();
    });
    const timer = setTimeout(done, timeoutMs);
    try {
      sentAt = performance.now();
      await store.broadcast(encodeControl({ type: 'ping', id }));
      // Those listed may answer before we know how many to expect: counted either way.
      expected = (await store.workers()).length;
      if (replies.size >= expected && expected > 0) done();
      await finished;
    } finally {
      clearTimeout(timer);
      unlisten();
    }
    return [...replies.values()].sort((a, b) => a.latencyMs - b.latencyMs);
  }
}
