import type { TaskMessage } from '../contracts/message.js';
import type { TaskStore } from '../contracts/task-store.js';
import type { Logger } from '../context/logger.js';
import { EventStream } from '../events/event-stream.js';
import { LifecycleEvents } from '../events/lifecycle-events.js';
import { logLifecycle } from '../events/log-lines.js';
import { UnservedWarnings } from './task-announcements.js';
import { Workers } from './workers.js';

/**
 * What an app has for operating it, apart from tasks: its lifecycle events (`app.on`), the
 * queue-wide stream (`app.events`, appended to with `events: true`), the live workers
 * (`app.workers`), the log lines made from the events, and the store's connection watched.
 */
export class AppEvents {
  readonly lifecycle: LifecycleEvents;
  readonly stream: EventStream;
  readonly workers: Workers;
  /** Whether this app's events go to the queue-wide stream. */
  readonly streaming: boolean;
  readonly #unwatch: Promise<() => void>;
  readonly #unserved: UnservedWarnings;

  constructor(store: Promise<TaskStore>, logger: Logger, streaming: boolean) {
    this.lifecycle = new LifecycleEvents(() => logger);
    this.stream = new EventStream(() => store, logger);
    this.workers = new Workers(() => store);
    this.streaming = streaming;
    this.#unserved = new UnservedWarnings(logger);
    if (streaming) this.lifecycle.setSink(this.stream.append);
    logLifecycle(this.lifecycle, logger);
    this.#unwatch = store.then(
      (s) => watchConnection(s, this.lifecycle),
      () => () => undefined,
    );
  }

  /** A producer of this app enqueued `message`: a warning if no worker serves its task, and `task-sent`. */
  enqueued(store: TaskStore, message: TaskMessage): void {
    this.#unserved.check(store, message.task);
    if (!this.lifecycle.wants('task-sent')) return;
    // Written out, not spread: this runs for every task sent (see task-events.ts).
    const { id: taskId, task, attempt, queue, eta } = message;
    const at = Date.now();
    this.lifecycle.emit('task-sent', eta === undefined ? { taskId, task, attempt, at, queue } : { taskId, task, attempt, at, queue, eta });
  }

  /** Before the store closes: the last events appended, the connection no longer watched. */
  async close(): Promise<void> {
    await this.stream.drain();
    (await this.#unwatch)();
  }
}

/** Turns the store's connection changes into `store-disconnected` and `store-reconnected` events. */
function watchConnection(store: TaskStore, events: LifecycleEvents): () => void {
  let downSince: number | undefined;
  return store.onConnectionChange((change) => {
    const at = Date.now();
    if (!change.connected && downSince === undefined) {
      downSince = at;
      events.emit('store-disconnected', { at, ...(change.error === undefined ? {} : { error: change.error }) });
    } else if (change.connected && downSince !== undefined) {
      events.emit('store-reconnected', { at, downMs: at - downSince });
      downSince = undefined;
    }
  });
}
