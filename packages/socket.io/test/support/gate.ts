/** Lets a test decide when a task takes its next step: `open(id)` lets one `pass(id)` through. */
export class Gate {
  readonly #permits = new Map<string, number>();
  readonly #waiting = new Map<string, () => void>();

  open(id: string, steps = 1): void {
    this.#permits.set(id, (this.#permits.get(id) ?? 0) + steps);
    this.#waiting.get(id)?.();
  }

  /** Open for good: every later step passes at once. */
  openAll(id: string): void {
    this.open(id, Number.POSITIVE_INFINITY);
  }

  async pass(id: string, signal: AbortSignal): Promise<void> {
    for (;;) {
      const permits = this.#permits.get(id) ?? 0;
      if (permits > 0) {
        this.#permits.set(id, permits - 1);
        return;
      }
      signal.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        this.#waiting.set(id, () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      });
      this.#waiting.delete(id);
    }
  }
}
