/**
 * An AbortController made only when someone looks at the signal. Most tasks never do (they are not
 * bound and have no time limit), and creating a controller per task is a measurable share of the
 * hot path. `abort()` before the signal exists is remembered.
 */
export class LazyAbort {
  #controller: AbortController | undefined;
  #reason: unknown;
  #aborted = false;
  /**
   * Called on every abort request, the first one after the signal: how a thread or process pool
   * hears of it without a signal listener per task. Later requests matter there: a hard limit
   * after the soft one (or a shutdown after a revoke) must still stop the runner.
   */
  onAbort: ((reason: unknown) => void) | undefined;

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  abort(reason: unknown): void {
    if (!this.#aborted) {
      this.#aborted = true;
      this.#reason = reason;
      this.#controller?.abort(reason);
    }
    this.onAbort?.(reason);
  }
}
