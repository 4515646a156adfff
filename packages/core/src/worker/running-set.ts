/** Something kept in a RunningSet: the set records where, for removal in O(1). */
export interface Slotted {
  /** Index in its set, or -1 when in none. */
  slot: number;
}

/**
 * The tasks a worker is running: an array with swap-removal. A Map would do, but a worker's set
 * fills and drains with every burst, and a Map reallocates its table each time it shrinks and
 * grows again (about 300 bytes per task in the memory benchmark's allocation profile).
 */
export class RunningSet<T extends Slotted> {
  readonly #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  add(item: T): void {
    item.slot = this.#items.length;
    this.#items.push(item);
  }

  /** Removes `item`; false if it was not in the set. */
  delete(item: T): boolean {
    if (item.slot < 0 || this.#items[item.slot] !== item) return false;
    const last = this.#items.pop() as T;
    if (last !== item) {
      this.#items[item.slot] = last;
      last.slot = item.slot;
    }
    item.slot = -1;
    return true;
  }

  /** A copy of the items, safe to iterate while they are removed. */
  toArray(): T[] {
    return [...this.#items];
  }
}
