import type { QueueInfo } from '../contracts/admin.js';
import type { TaskStore } from '../contracts/task-store.js';
import { endRevokedWorkflow } from '../canvas/dispatch.js';
import { carriesWorkflow } from '../contracts/message.js';
import { show } from '../internal/show.js';

/** How many messages one purge step removes (each step is one atomic call on the store). */
const PURGE_STEP = 1_000;

/**
 * `app.queues`: the queues the store knows, with their counts; pause, resume and purge one.
 * Pausing is checked in the store's reserve itself: once `pause` resolves, no worker anywhere
 * takes a message of that queue, and producers can still enqueue to it.
 */
export class Queues {
  readonly #store: () => Promise<TaskStore>;

  constructor(store: () => Promise<TaskStore>) {
    this.#store = store;
  }

  /** Every queue a message was sent to (and every paused one), sorted by name. */
  async list(): Promise<QueueInfo[]> {
    return (await this.#store()).queues();
  }

  /** One queue, or `null` if the store knows no queue of that name. */
  async get(name: string): Promise<QueueInfo | null> {
    checkName('get', name);
    return (await this.list()).find((q) => q.name === name) ?? null;
  }

  /** Stops workers from taking this queue's messages (enqueues are still accepted) until `resume`. */
  async pause(name: string): Promise<void> {
    checkName('pause', name);
    await (await this.#store()).pauseQueue(name, true);
  }

  async resume(name: string): Promise<void> {
    checkName('resume', name);
    await (await this.#store()).pauseQueue(name, false);
  }

  /**
   * Deletes every waiting and delayed message of the queue; resolves with how many. Their
   * records become REVOKED with `meta.reason` `'purged'` (so nothing waits on them as PENDING),
   * and the workflows they carried end as after a revoke. Running tasks go on.
   */
  async purge(name: string): Promise<number> {
    checkName('purge', name);
    const store = await this.#store();
    let purged = 0;
    for (;;) {
      const removed = await store.purgeQueue(name, PURGE_STEP);
      if (removed.length === 0) return purged;
      purged += removed.length;
      for (const message of removed) {
        if (!carriesWorkflow(message)) continue;
        const record = await store.get(message.id);
        if (record !== null) await endRevokedWorkflow(store, message, record);
      }
    }
  }
}

function checkName(method: string, name: unknown): void {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError(`queues.${method}(): the queue name must be a non-empty string, got ${show(name)}`);
}
