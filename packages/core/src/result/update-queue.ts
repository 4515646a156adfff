import type { TaskRecord } from '../contracts/record.js';

/**
 * Buffers records pushed by a subscription for an async iterator, keeping only ones newer than the
 * last delivered (`seq` order), so duplicates and late events are dropped.
 */
export class UpdateQueue implements AsyncIterable<TaskRecord> {
  private readonly buffer: TaskRecord[] = [];
  private lastSeq = 0;
  private closed = false;
  private wake: (() => void) | undefined;

  push(record: TaskRecord): void {
    if (this.closed) return;
    const newest = this.buffer.length > 0 ? (this.buffer[this.buffer.length - 1] as TaskRecord).seq : this.lastSeq;
    if (record.seq <= newest) return;
    this.buffer.push(record);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<TaskRecord, void, undefined> {
    while (true) {
      const next = this.buffer.shift();
      if (next !== undefined) {
        this.lastSeq = next.seq;
        yield next;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }
}
