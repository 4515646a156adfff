import { MAX_PRIORITY, type TaskMessage } from '@celeriac/core/adapter';
import { Fifo } from './fifo.js';

export interface QueuedMessage {
  readonly id: string;
  readonly task: string;
  readonly priority: number;
  /** Arrival order, to keep FIFO across tasks of the same priority. */
  readonly seq: number;
  /** The broker's own copy of a published message. */
  readonly message: TaskMessage | undefined;
  /** A string injected as a foreign producer could; validated (and maybe dead-lettered) on reserve. */
  readonly raw: string | undefined;
  /** Deliveries so far. */
  deliveries: number;
}

/**
 * One queue's ready messages: per task, one FIFO per priority, so that a worker can take only the
 * tasks it has registered, highest priority first, then oldest first.
 */
export class ReadyQueue {
  private readonly byTask = new Map<string, Fifo<QueuedMessage>[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(message: QueuedMessage): void {
    let buckets = this.byTask.get(message.task);
    if (buckets === undefined) {
      buckets = Array.from({ length: MAX_PRIORITY + 1 }, () => new Fifo<QueuedMessage>());
      this.byTask.set(message.task, buckets);
    }
    (buckets[message.priority] as Fifo<QueuedMessage>).push(message);
    this.count++;
  }

  /** The best message among `tasks`: highest priority, then lowest seq. */
  shift(tasks: readonly string[]): QueuedMessage | undefined {
    let best: Fifo<QueuedMessage> | undefined;
    let bestHead: QueuedMessage | undefined;
    for (const task of tasks) {
      const buckets = this.byTask.get(task);
      if (buckets === undefined) continue;
      for (let p = MAX_PRIORITY; p >= 0; p--) {
        const bucket = buckets[p] as Fifo<QueuedMessage>;
        const head = bucket.peek();
        if (head === undefined) continue;
        if (bestHead === undefined || head.priority > bestHead.priority || (head.priority === bestHead.priority && head.seq < bestHead.seq)) {
          best = bucket;
          bestHead = head;
        }
        break;
      }
    }
    if (best === undefined) return undefined;
    this.count--;
    return best.shift();
  }

  /** Whether a copy of `id` waits here (a scan: only for the rare inbox admission). */
  has(id: string): boolean {
    for (const buckets of this.byTask.values()) for (const bucket of buckets) if (bucket.some((m) => m.id === id)) return true;
    return false;
  }

  /**
   * Removes every copy of `id` but those `keeps` says to leave; returns one of them, removed or
   * left (the caller ends its workflow), if any.
   */
  remove(id: string, keeps?: (m: QueuedMessage) => boolean): QueuedMessage | undefined {
    let found: QueuedMessage | undefined;
    for (const buckets of this.byTask.values()) {
      for (const bucket of buckets) {
        this.count -= bucket.removeWhere((m) => {
          if (m.id !== id) return false;
          found = m;
          return keeps?.(m) !== true;
        });
      }
    }
    return found;
  }

  /** The message that arrived first (lowest seq) among the heads of every bucket. */
  oldest(): QueuedMessage | undefined {
    let oldest: QueuedMessage | undefined;
    for (const buckets of this.byTask.values()) {
      for (const bucket of buckets) {
        const head = bucket.peek();
        if (head !== undefined && (oldest === undefined || head.seq < oldest.seq)) oldest = head;
      }
    }
    return oldest;
  }

  /** Removes up to `max` messages, best first (raw inbox strings included); returns them. */
  drain(max: number): QueuedMessage[] {
    const removed: QueuedMessage[] = [];
    for (const buckets of this.byTask.values()) {
      for (let p = MAX_PRIORITY; p >= 0; p--) {
        const bucket = buckets[p] as Fifo<QueuedMessage>;
        while (removed.length < max) {
          const head = bucket.shift();
          if (head === undefined) break;
          removed.push(head);
        }
      }
    }
    this.count -= removed.length;
    return removed;
  }
}
