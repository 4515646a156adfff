/** A FIFO queue with O(1) push and shift (Array#shift is O(n), which matters at 100k+ items). */
export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  some(predicate: (item: T) => boolean): boolean {
    for (let i = this.head; i < this.items.length; i++) if (predicate(this.items[i] as T)) return true;
    return false;
  }

  /** Removes every item matching `predicate`; returns how many. */
  removeWhere(predicate: (item: T) => boolean): number {
    const kept = this.items.slice(this.head).filter((item) => !predicate(item as T));
    const removed = this.length - kept.length;
    this.items = kept;
    this.head = 0;
    return removed;
  }
}
