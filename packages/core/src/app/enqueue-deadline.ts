import type { Logger } from '../context/logger.js';
import { EnqueueTimeoutError } from '../errors/enqueue-timeout-error.js';

interface Pending {
  readonly since: number;
  readonly task: string;
  readonly ids: () => readonly string[];
  readonly reject: (error: unknown) => void;
  timedOut: boolean;
}

/**
 * Bounds how long an enqueue may wait for the store (`enqueueTimeout`). One sweeping interval for
 * all enqueues in flight instead of a timer per call, and no promise of its own between the store
 * and the caller (see `settle`): this is on the path of every `delay()`, and an extra turn there
 * changes how a worker in the same process batches its tasks. An enqueue is failed between
 * `timeoutMs` and `timeoutMs` plus a tenth of it.
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

  /**
   * `map` of what `enqueued` resolves to (it may throw to reject), or an `EnqueueTimeoutError`
   * once it has taken longer than the timeout. The caller's promise is settled from `enqueued`'s
   * own reaction: as few turns as an `await` of it in an async function.
   */
  settle<T, R>(enqueued: Promise<T>, task: string, ids: () => readonly string[], map: (value: T) => R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const pending: Pending = { since: Date.now(), task, ids, reject, timedOut: false };
      this.#pending.add(pending);
      this.#timer ??= setInterval(() => this.#sweep(), Math.max(10, Math.ceil(this.timeoutMs / 10))).unref();
      enqueued.then(
        (value) => {
          this.#pending.delete(pending);
          if (pending.timedOut) return this.#acceptedLate(pending);
          try {
            resolve(map(value));
          } catch (error) {
            reject(error);
          }
        },
        (error: unknown) => {
          this.#pending.delete(pending);
          if (!pending.timedOut) reject(error);
        },
      );
    });
  }

  /** `enqueued`, or an `EnqueueTimeoutError` once it has taken longer than the timeout. */
  guard<T>(enqueued: Promise<T>, task: string, ids: () => readonly string[]): Promise<T> {
    return this.settle(enqueued, task, ids, same);
  }

  #acceptedLate(pending: Pending): void {
    this.logger.warn(`an enqueue of ${pending.task} that timed out was accepted by the store after all: the task will run`, { ids: pending.ids().join(',') });
  }

  #sweep(): void {
    const late = Date.now() - this.timeoutMs;
    for (const pending of this.#pending) {
      if (pending.since > late) break; // a Set iterates in insertion order: the rest are newer
      this.#pending.delete(pending);
      pending.timedOut = true;
      pending.reject(new EnqueueTimeoutError(pending.task, pending.ids(), this.timeoutMs));
    }
    // The interval stays until a sweep finds nothing pending: steady traffic arms it once, not per call.
    if (this.#pending.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}

function same<T>(value: T): T {
  return value;
}
