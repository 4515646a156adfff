import type { DeadLetter, QueueInfo, TaskMessage, TaskQuery } from '@celeriac/core/adapter';
import { type TaskRecord, type TaskState, TaskStates, isTerminal } from '@celeriac/core';
import type { SlotStore } from './slot-store.js';

const FINISHED: readonly TaskState[] = [TaskStates.SUCCESS, TaskStates.FAILURE, TaskStates.REVOKED];

/**
 * The admin API over the partitions of a store (TaskStore sections 5 and 9), as one queue: counts
 * summed, listings merged in the order each partition keeps, a pause written to every partition.
 * Admin calls, off the task's path: each asks every partition.
 */
export class PartitionAdmin {
  readonly #partitions: readonly SlotStore[];
  readonly #taskListLimit: number;

  constructor(partitions: readonly SlotStore[]) {
    this.#partitions = partitions;
    this.#taskListLimit = (partitions[0] as SlotStore).options.taskListLimit;
  }

  /** Each queue once: counts summed, the oldest waiting message of all, paused if any partition has it paused (a pause that failed half-way shows, and can be sent again). */
  async queues(): Promise<QueueInfo[]> {
    const merged = new Map<string, QueueInfo>();
    for (const infos of await this.#all((p) => p.queues())) {
      for (const info of infos) {
        const seen = merged.get(info.name);
        if (seen === undefined) {
          merged.set(info.name, { ...info });
          continue;
        }
        seen.waiting += info.waiting;
        seen.delayed += info.delayed;
        seen.running += info.running;
        seen.paused ||= info.paused;
        if (info.oldestWaitingAt !== null && (seen.oldestWaitingAt === null || info.oldestWaitingAt < seen.oldestWaitingAt)) seen.oldestWaitingAt = info.oldestWaitingAt;
      }
    }
    return [...merged.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Written to every partition before it resolves, so no reserve of any partition returns the
   * queue's messages once a pause resolves. Each write is idempotent: a pause or resume that
   * failed half-way is completed by sending it again.
   */
  async pause(queue: string, paused: boolean): Promise<void> {
    await this.#all((p) => p.pauseQueue(queue, paused));
  }

  /** Up to `max` messages, from the partitions in turn. */
  async purge(queue: string, max: number): Promise<TaskMessage[]> {
    const removed: TaskMessage[] = [];
    for (const partition of this.#partitions) {
      if (removed.length >= max) break;
      removed.push(...(await partition.purgeQueue(queue, max - removed.length)));
    }
    return removed;
  }

  async size(queue: string): Promise<number> {
    return sum(await this.#all((p) => p.size(queue)));
  }

  /** Summed; a finished state within `taskListLimit` for the store, as on one slot (each partition keeps its newest that many). */
  async taskCounts(): Promise<Record<TaskState, number>> {
    const counts = {} as Record<TaskState, number>;
    for (const partCounts of await this.#all((p) => p.taskCounts())) {
      for (const [state, n] of Object.entries(partCounts) as [TaskState, number][]) counts[state] = (counts[state] ?? 0) + n;
    }
    for (const state of FINISHED) counts[state] = Math.min(counts[state] ?? 0, this.#taskListLimit);
    return counts;
  }

  /**
   * Newest change first across partitions: each partition's first `offset + limit`, merged. A
   * finished state lists the store's newest `taskListLimit`, which are among each partition's.
   */
  async listTasks(query: TaskQuery): Promise<TaskRecord[]> {
    const pages = await this.#all((p) => p.listTasks({ ...query, offset: 0, limit: query.offset + query.limit }));
    const end = isTerminal(query.state) ? Math.min(query.offset + query.limit, this.#taskListLimit) : query.offset + query.limit;
    return pages.flat().sort((a, b) => b.updatedAt - a.updatedAt).slice(query.offset, end);
  }

  /** Oldest first across partitions (by the time they died, then id): each partition's first `offset + limit`, merged. */
  async deadLetters(limit = 100, offset = 0): Promise<DeadLetter[]> {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new TypeError(`deadLetters(): limit must be a positive integer, got ${String(limit)}`);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new TypeError(`deadLetters(): offset must be a non-negative integer, got ${String(offset)}`);
    const pages = await this.#all((p) => p.deadLetters(offset + limit, 0));
    return pages.flat().sort((a, b) => a.deadAt - b.deadAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(offset, offset + limit);
  }

  /** A letter's id names its partition, except a broker-assigned one (a malformed inbox message): then every partition is asked. */
  async retryDeadLetter(id: string, first: SlotStore): Promise<boolean> {
    if (await first.retryDeadLetter(id)) return true;
    for (const partition of this.#partitions) {
      if (partition !== first && (await partition.retryDeadLetter(id))) return true;
    }
    return false;
  }

  /** Every partition deletes the named letters it has (only ids in its dead-letter queue). */
  async purgeDeadLetters(ids?: readonly string[]): Promise<number> {
    return sum(await this.#all((p) => p.purgeDeadLetters(ids)));
  }

  #all<T>(call: (partition: SlotStore) => Promise<T>): Promise<T[]> {
    return Promise.all(this.#partitions.map(call));
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
