/**
 * Ids with the time they fall due, in the order pushed (times never decrease much: each is "now +
 * ttl"). Two parallel arrays instead of an `{ id, at }` object per entry: one entry is queued for
 * every task, and each object would live for the whole ttl.
 */
export class ExpiryQueue {
  #ids: string[] = [];
  #ats: number[] = [];
  #head = 0;

  push(id: string, at: number): void {
    this.#ids.push(id);
    this.#ats.push(at);
  }

  /** When the oldest entry falls due; +Infinity when empty. */
  nextAt(): number {
    return this.#head < this.#ats.length ? (this.#ats[this.#head] as number) : Number.POSITIVE_INFINITY;
  }

  /** Removes and returns the oldest id; call only after `nextAt()` gave a finite time. */
  shift(): string {
    const id = this.#ids[this.#head] as string;
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#ids.length) {
      this.#ids = this.#ids.slice(this.#head);
      this.#ats = this.#ats.slice(this.#head);
      this.#head = 0;
    }
    return id;
  }
}
