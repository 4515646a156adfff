import type { TaskHandle } from '@celeriac/core';

/**
 * Enough for one publish round trip per chunk, small enough that 100k rows do not build one
 * huge array of messages and records at once (or block the event loop for long).
 */
export const ENQUEUE_CHUNK = 1_000;

/**
 * Enqueues one insert task per row with `bulk()`. The values stand in for data that arrived
 * with the request; each row is independent, so the broker may spread them out as the rate
 * limit allows.
 */
export async function enqueueBatch(insertRow: TaskHandle<[string, number, number], boolean>, batchId: string, total: number, value: (seq: number) => number = () => Math.round(Math.random() * 10_000) / 100): Promise<void> {
  for (let start = 0; start < total; start += ENQUEUE_CHUNK) {
    const end = Math.min(total, start + ENQUEUE_CHUNK);
    const calls: Array<[string, number, number]> = [];
    for (let seq = start; seq < end; seq++) calls.push([batchId, seq, value(seq)]);
    await insertRow.bulk(calls);
  }
}
