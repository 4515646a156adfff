/**
 * Timed, abortable waits that can all be ended at once: the "sleep until there may be work" every
 * broker needs (a publish wakes the reservers waiting in this process), and the worker's
 * cancellable deadlines. A wait resolves, never rejects, after `ms`, on `wakeAll()` or when
 * `signal` aborts, whichever is first.
 */
export class Wakeup {
  readonly #waiters = new Set<() => void>();

  /** `onWaiting`, if given, is called with a function that ends this wait alone (not if it ends at once). */
  wait(ms: number, signal?: AbortSignal, onWaiting?: (end: () => void) => void): Promise<void> {
    if (signal?.aborted === true || ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.#waiters.add(done);
      onWaiting?.(done);
    });
  }

  /** Ends every wait in progress. */
  wakeAll(): void {
    if (this.#waiters.size === 0) return;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const done of waiters) done();
  }
}
