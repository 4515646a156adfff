import type { TaskUpdate } from '../../src/index.js';

/** Collects values and lets a test await the first one matching a predicate, with a deadline. */
export class Recorder<T> {
  readonly values: T[] = [];
  readonly #waiters = new Set<{ predicate: (value: T) => boolean; resolve: (value: T) => void }>();

  readonly push = (value: T): void => {
    this.values.push(value);
    for (const waiter of [...this.#waiters]) {
      if (waiter.predicate(value)) {
        this.#waiters.delete(waiter);
        waiter.resolve(value);
      }
    }
  };

  /** The first value (already recorded or still to come) matching `predicate`. */
  until(predicate: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
    const found = this.values.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (value: T) => {
          clearTimeout(timer);
          resolve(value);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`no matching value within ${timeoutMs} ms; got ${JSON.stringify(this.values)}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }
}

export const isFinal = (u: TaskUpdate): boolean => u.state === 'SUCCESS' || u.state === 'FAILURE' || u.state === 'REVOKED';

/** Progress `current` of an update, if it is a progress update. */
export function currentOf(u: TaskUpdate): number | undefined {
  const info = u.info as { current?: unknown } | null;
  return u.state === 'PROGRESS' && typeof info?.current === 'number' ? info.current : undefined;
}
