import type { Counter } from 'prom-client';

/**
 * A counter's increments kept as plain numbers per label set and handed to prom-client when it is
 * scraped (its `collect`): a task's event costs a map lookup and an addition on the hot path,
 * instead of prom-client's label check and label hashing on every increment.
 */
export class Tally<L extends string> {
  readonly #pending = new Map<string, { labels: Record<L, string>; count: number }>();

  /** Adds one for the label set `key` names (made by `labels` the first time it is seen). */
  add(key: string, labels: () => Record<L, string>): void {
    const entry = this.#pending.get(key);
    if (entry === undefined) this.#pending.set(key, { labels: labels(), count: 1 });
    else entry.count++;
  }

  /** Moves the counts into `counter` (call it from the counter's `collect`). */
  flushTo(counter: Counter<L>): void {
    for (const entry of this.#pending.values()) {
      if (entry.count === 0) continue;
      counter.inc(entry.labels, entry.count);
      entry.count = 0;
    }
  }
}
