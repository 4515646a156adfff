/**
 * The ids in one finished state, oldest first, bounded by count and age. Order lives in parallel
 * arrays read from a moving head (the ExpiryQueue pattern), membership in a Map id -> stamp: a
 * Map alone would do, but trimming its oldest entry again and again walks over the holes left by
 * earlier deletions. An id removed (forgotten, reopened) or filed again leaves a stale slot,
 * skipped because its stamp no longer matches.
 */
export class FinishedList {
  #ids: string[] = [];
  #ats: number[] = [];
  #stamps: number[] = [];
  #head = 0;
  #stamp = 0;
  readonly #live = new Map<string, number>();

  get size(): number {
    return this.#live.size;
  }

  add(id: string, at: number, limit: number): void {
    const stamp = ++this.#stamp;
    this.#live.set(id, stamp);
    this.#ids.push(id);
    this.#ats.push(at);
    this.#stamps.push(stamp);
    while (this.#live.size > limit) this.#dropOldest();
  }

  delete(id: string): void {
    this.#live.delete(id);
  }

  /** Drops the entries that entered before `oldest` (ms). */
  trim(oldest: number): void {
    while (this.#head < this.#ids.length && (this.#ats[this.#head] as number) <= oldest) this.#dropOldest();
  }

  /** Live ids, newest first. */
  *newestFirst(): Generator<string> {
    for (let i = this.#ids.length - 1; i >= this.#head; i--) {
      const id = this.#ids[i] as string;
      if (this.#live.get(id) === this.#stamps[i]) yield id;
    }
  }

  #dropOldest(): void {
    const id = this.#ids[this.#head] as string;
    if (this.#live.get(id) === this.#stamps[this.#head]) this.#live.delete(id);
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#ids.length) {
      this.#ids = this.#ids.slice(this.#head);
      this.#ats = this.#ats.slice(this.#head);
      this.#stamps = this.#stamps.slice(this.#head);
      this.#head = 0;
    }
  }
}
