import { type DeadLetter, type TaskMessage, decodeTaskMessage, optionChecker } from '@celeriac/core/adapter';

/** Options of `MemoryBroker` (and of `MemoryStore`): the bounds of its dead-letter queue. */
export interface MemoryBrokerOptions {
  /** At most this many dead letters are kept; the oldest go first. @defaultValue `10_000` */
  deadLetterLimit?: number;
  /** Dead letters older than this are dropped, in ms. @defaultValue `604_800_000` (seven days) */
  deadLetterTtl?: number;
}

export const DEFAULT_MEMORY_BROKER_OPTIONS = { deadLetterLimit: 10_000, deadLetterTtl: 604_800_000 } as const;

/**
 * Dead letters in the order they died, bounded by count and age so that nothing (a foreign
 * producer pushing garbage to an inbox, a task failing in a loop) can grow it without end.
 */
export class DeadLetterQueue {
  readonly #letters: DeadLetter[] = [];
  readonly #limit: number;
  readonly #ttl: number;

  constructor(options: MemoryBrokerOptions) {
    const check = optionChecker('new MemoryBroker()');
    this.#limit = options.deadLetterLimit === undefined ? DEFAULT_MEMORY_BROKER_OPTIONS.deadLetterLimit : check.positiveInt('deadLetterLimit', options.deadLetterLimit);
    this.#ttl = options.deadLetterTtl === undefined ? DEFAULT_MEMORY_BROKER_OPTIONS.deadLetterTtl : check.positiveInt('deadLetterTtl', options.deadLetterTtl);
  }

  /** Files a letter (replacing one of the same id), then trims the queue to its bounds. */
  add(letter: DeadLetter): void {
    this.take(letter.id);
    this.#letters.push(letter);
    this.#trim();
  }

  page(limit: number, offset: number): DeadLetter[] {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new TypeError(`deadLetters(): limit must be a positive integer, got ${String(limit)}`);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new TypeError(`deadLetters(): offset must be a non-negative integer, got ${String(offset)}`);
    this.#trim();
    return this.#letters.slice(offset, offset + limit);
  }

  find(id: string): DeadLetter | undefined {
    return this.#letters.find((d) => d.id === id);
  }

  /** The message a letter holds, if it can be read and is the task's own (not a raw inbox message). */
  message(id: string): TaskMessage | undefined {
    const letter = this.find(id);
    if (letter === undefined) return undefined;
    try {
      const message = decodeTaskMessage(letter.raw);
      return message.id === id ? message : undefined;
    } catch {
      return undefined;
    }
  }

  /** Removes and returns the letter of `id`. */
  take(id: string): DeadLetter | undefined {
    const index = this.#letters.findIndex((d) => d.id === id);
    return index < 0 ? undefined : this.#letters.splice(index, 1)[0];
  }

  purge(ids?: readonly string[]): number {
    const before = this.#letters.length;
    if (ids === undefined) this.#letters.length = 0;
    else {
      const drop = new Set(ids);
      const kept = this.#letters.filter((d) => !drop.has(d.id));
      this.#letters.splice(0, before, ...kept);
    }
    return before - this.#letters.length;
  }

  /** Letters are in the order they died: the too old and the too many are at the front. */
  #trim(): void {
    const oldest = Date.now() - this.#ttl;
    let drop = Math.max(0, this.#letters.length - this.#limit);
    while (drop < this.#letters.length && (this.#letters[drop] as DeadLetter).deadAt < oldest) drop++;
    if (drop > 0) this.#letters.splice(0, drop);
  }
}
