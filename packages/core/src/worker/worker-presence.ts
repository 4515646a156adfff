import type { TaskMessage } from '../contracts/message.js';
import type { TaskStore } from '../contracts/task-store.js';
import type { WorkerInfo } from '../contracts/workers.js';
import type { Logger } from '../context/logger.js';
import { serializeError } from '../errors/serialize-error.js';
import { decodeControl, encodeControl } from '../events/control.js';
import type { LifecycleEvents } from '../events/lifecycle-events.js';

/** What a worker says of itself that does not change while it runs. */
export type StaticInfo = Omit<WorkerInfo, 'running' | 'processed' | 'failed' | 'lastHeartbeatAt'>;

/** A worker's heartbeat now: its static part, what it runs, and its counts. */
export function workerInfo(info: StaticInfo, running: readonly { delivery: { message: TaskMessage }; startedAt: number }[], counts: { processed: number; failed: number }): WorkerInfo {
  const tasks = running.map(({ delivery: { message }, startedAt }) => ({ id: message.id, task: message.task, attempt: message.attempt, startedAt }));
  return { ...info, running: tasks, processed: counts.processed, failed: counts.failed, lastHeartbeatAt: Date.now() };
}

/** A worker is taken for gone once this many heartbeats were missed. */
export const MISSED_HEARTBEATS = 3;

/**
 * A worker's presence in the store (Celery's worker heartbeats and `inspect`): its `WorkerInfo`
 * stored now and every `interval` with a TTL of three intervals, so a worker killed without
 * closing drops out of `app.workers.list()` by itself; and its answers to pings. Emits
 * `worker-online`, `worker-heartbeat` and `worker-offline`.
 */
export class WorkerPresence {
  readonly #store: TaskStore;
  readonly #info: () => WorkerInfo;
  readonly #events: LifecycleEvents;
  readonly #logger: Logger;
  readonly #interval: number;
  #timer: NodeJS.Timeout | undefined;
  #unlisten: (() => void) | undefined;
  #failing = false;

  constructor(store: TaskStore, info: () => WorkerInfo, events: LifecycleEvents, logger: Logger, interval: number) {
    this.#store = store;
    this.#info = info;
    this.#events = events;
    this.#logger = logger;
    this.#interval = interval;
  }

  /** Answers pings, stores the first heartbeat (a started worker is listed), then beats on. */
  async start(): Promise<void> {
    this.#unlisten = await this.#store.onBroadcast((raw) => this.#answer(raw));
    const info = await this.#beat();
    if (this.#events.wants('worker-online')) this.#events.emit('worker-online', { worker: info.id, at: info.lastHeartbeatAt, info });
    this.#timer = setInterval(() => {
      this.#beat().then(
        (beat) => {
          if (this.#failing) this.#logger.info('worker heartbeats are stored again', { worker: beat.id });
          this.#failing = false;
          if (this.#events.wants('worker-heartbeat')) this.#events.emit('worker-heartbeat', { worker: beat.id, at: beat.lastHeartbeatAt, info: beat });
        },
        (error: unknown) => {
          if (!this.#failing) this.#logger.warn('could not store the worker heartbeat; retrying', { error: serializeError(error).message });
          this.#failing = true;
        },
      );
    }, this.#interval).unref();
  }

  /** Stops beating and answering, and removes the worker's entry. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#unlisten?.();
    const { id } = this.#info();
    try {
      await this.#store.removeWorker(id);
    } catch (error) {
      this.#logger.warn('could not remove the worker from the store: it drops out when its heartbeat lapses', { worker: id, error: serializeError(error).message });
    }
    if (this.#events.wants('worker-offline')) this.#events.emit('worker-offline', { worker: id, at: Date.now() });
  }

  async #beat(): Promise<WorkerInfo> {
    const info = this.#info();
    await this.#store.heartbeatWorker(info, this.#interval * MISSED_HEARTBEATS);
    return info;
  }

  #answer(raw: string): void {
    const message = decodeControl(raw);
    if (message?.type !== 'ping') return;
    const { id, host, pid } = this.#info();
    this.#store.broadcast(encodeControl({ type: 'pong', id: message.id, worker: id, host, pid })).catch(() => undefined); // the pinger times out
  }
}
