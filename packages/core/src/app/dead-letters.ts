import type { DeadLetter } from '../contracts/broker.js';
import type { TaskStore } from '../contracts/task-store.js';

/** One page of `app.deadLetters.list()`. */
export interface DeadLetterPage {
  letters: DeadLetter[];
  /** The `offset` of the next page, or `null` if this was the last. */
  next: number | null;
}

export interface DeadLetterListOptions {
  /** @defaultValue `100` */
  limit?: number;
  /** @defaultValue `0` */
  offset?: number;
}

const PAGE = 100;
/** The largest page `get` and `requeueAll` read at once. */
const SCAN_PAGE = 500;

/**
 * `app.deadLetters`, the dead-letter queue to list, inspect, requeue and purge: messages that could not run (malformed, past the delivery limit, failed on
 * their last attempt with `deadLetter` on, or an inbox message reusing an id in use), oldest first.
 * The store bounds the queue by count and age.
 */
export class DeadLetters {
  readonly #store: () => Promise<TaskStore>;

  constructor(store: () => Promise<TaskStore>) {
    this.#store = store;
  }

  /** A page of letters, oldest first. */
  async list(options: DeadLetterListOptions = {}): Promise<DeadLetterPage> {
    const limit = options.limit ?? PAGE;
    const offset = options.offset ?? 0;
    if (!Number.isSafeInteger(limit) || limit < 1) throw new TypeError(`deadLetters.list(): limit must be a positive integer, got ${String(limit)}`);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new TypeError(`deadLetters.list(): offset must be a non-negative integer, got ${String(offset)}`);
    // One more than asked, to know whether another page follows.
    const letters = await (await this.#store()).deadLetters(limit + 1, offset);
    const more = letters.length > limit;
    return { letters: more ? letters.slice(0, limit) : letters, next: more ? offset + limit : null };
  }

  /** The letter of an id (a task id, or the store's id for a raw message), or `null`. */
  async get(id: string): Promise<DeadLetter | null> {
    const store = await this.#store();
    for (let offset = 0; ; offset += SCAN_PAGE) {
      const page = await store.deadLetters(SCAN_PAGE, offset);
      const found = page.find((d) => d.id === id);
      if (found !== undefined) return found;
      if (page.length < SCAN_PAGE) return null;
    }
  }

  /**
   * Puts a letter back on its queue to run again as a new attempt: its FAILURE record goes back
   * to PENDING (its history kept: seq goes on), so the task really runs. Resolves false if the id
   * is not in the queue.
   */
  async requeue(id: string): Promise<boolean> {
    return (await this.#store()).retryDeadLetter(id);
  }

  /** Requeues every letter (as `requeue`); resolves with how many went back. */
  async requeueAll(): Promise<number> {
    const store = await this.#store();
    // Each requeue removes its letter, so the front is read again; a letter that comes back
    // while this runs (malformed still) is requeued once, not forever.
    const done = new Set<string>();
    for (;;) {
      const page = (await store.deadLetters(SCAN_PAGE, 0)).filter((d) => !done.has(d.id));
      if (page.length === 0) return done.size;
      for (const letter of page) {
        done.add(letter.id);
        await store.retryDeadLetter(letter.id);
      }
    }
  }

  /** Deletes the named letters, or every letter if `ids` is omitted; resolves with how many were deleted. */
  async purge(ids?: readonly string[]): Promise<number> {
    return (await this.#store()).purgeDeadLetters(ids);
  }
}
