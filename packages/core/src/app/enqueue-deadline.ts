import type { Logger } from '../context/logger.js';
import { EnqueueTimeoutError } from '../errors/enqueue-timeout-error.js';

interface Pending {
  readonly since: number;
  readonly fail: () => void;
}

/**
 * Bounds how long an enqueue may wait for the store (`enqueueTimeout`). One sweeping interval for
 * all enqueues in flight instead of a timer per call: this is on the path of every `delay()`.
 * An enqueue is failed between `timeoutMs` and `timeoutMs` plus a tenth of it.
 *
 * The store's own request is not cancelled (a store cannot take back a command already sent or
 * queued for a reconnect): if it completes after the caller was told it failed, that is logged,
 * and the error the caller got says the task may yet be enqueued (see EnqueueTimeoutError).
 */
export class EnqueueDeadline {
  readonly #pending = new Set<Pending>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  /** `enqueued`, or an `EnqueueTimeoutError` once it has taken longer than the timeout. */
  guard<T>(enqueued: Promise<T>, task: string, ids: () => readonly string[]): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timedOut = false;
      const pending: Pending = {
        since: Date.now(),
        fail: () => {
          timedOut = true;
          reject(new EnqueueTimeoutError(task, ids(), this.timeoutMs));
        },
      };
      this.#pending.add(pending);
      this.#timer ??= setInterval(() => this.#sweep(), Math.max(10, Math.ceil(this.timeoutMs / 10))).unref();
      enqueued.then(
        (value) => {
          this.#done(pending);
          if (timedOut) this.logger.warn(`an enqueue of ${task} that timed out was accepted by the store after all: the task will run`, { ids: ids().join(',') });
          else resolve(value);
        },
        (error: unknown) => {
          this.#done(pending);
          if (!timedOut) reject(error);
        },
      );
    });
  }

  #done(pending: Pending): void {
    // The interval stays until a sweep finds nothing pending: steady traffic arms it once, not per call.
    this.#pending.delete(pending);
  }

  #sweep(): void {
    const late = Date.now() - this.timeoutMs;
    for (const pending of this.#pending) {
      if (pending.since > late) break; // a Set iterates in insertion order: the rest are newer
      this.#pending.delete(pending);
      pending.fail();
    }
    if (this.#pending.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
