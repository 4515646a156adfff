import { MinHeap } from './min-heap.js';
import type { QueuedMessage } from './ready-queue.js';

/** Node fires a timer longer than this (about 24.8 days) at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Delayed {
  readonly queue: string;
  readonly eta: number;
  readonly entry: QueuedMessage;
}

/**
 * Messages waiting for their eta, by eta, with one timer for the earliest: when it fires, every
 * due message goes to its queue through `due` and `wake` tells the reserves waiting for work.
 */
export class DelayedMessages {
  readonly #heap = new MinHeap<Delayed>((d) => d.eta);
  readonly #due: (queue: string, entry: QueuedMessage) => void;
  readonly #wake: () => void;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(due: (queue: string, entry: QueuedMessage) => void, wake: () => void) {
    this.#due = due;
    this.#wake = wake;
  }

  push(queue: string, eta: number, entry: QueuedMessage): void {
    this.#heap.push({ queue, eta, entry });
    this.#arm();
  }

  /** Moves every message whose eta has come to its queue. */
  promoteDue(): void {
    const now = Date.now();
    for (let next = this.#heap.peek(); next !== undefined && next.eta <= now; next = this.#heap.peek()) {
      this.#heap.pop();
      this.#due(next.queue, next.entry);
    }
  }

  /** Removes the waiting copy of `id` unless `keeps` says to leave it; returns it, removed or left, if any. */
  remove(id: string, keeps?: (m: QueuedMessage) => boolean): QueuedMessage | undefined {
    let found: QueuedMessage | undefined;
    this.#heap.removeWhere((d) => {
      if (d.entry.id !== id) return false;
      found = d.entry;
      return keeps?.(d.entry) !== true;
    });
    return found;
  }

  has(id: string): boolean {
    return this.#heap.toArray().some((d) => d.entry.id === id);
  }

  count(queue: string): number {
    return this.#heap.toArray().filter((d) => d.queue === queue).length;
  }

  /** The queues with delayed messages. */
  queues(): Set<string> {
    return new Set(this.#heap.toArray().map((d) => d.queue));
  }

  /** Removes up to `max` delayed messages of `queue`; returns them. */
  drain(queue: string, max: number): QueuedMessage[] {
    const removed: QueuedMessage[] = [];
    this.#heap.removeWhere((d) => {
      if (d.queue !== queue || removed.length >= max) return false;
      removed.push(d.entry);
      return true;
    });
    return removed;
  }

  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }

  #arm(): void {
    const next = this.#heap.peek();
    if (next === undefined || next.eta >= this.#timerAt) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = next.eta;
    // Longer than Node can wait: wake early and re-arm instead.
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Number.POSITIVE_INFINITY;
      this.promoteDue();
      this.#wake();
      this.#arm();
    }, Math.min(MAX_TIMER_MS, Math.max(0, next.eta - Date.now())));
    this.#timer.unref?.();
  }
}
