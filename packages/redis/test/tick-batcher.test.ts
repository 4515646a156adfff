import { describe, expect, it } from 'vitest';
import { TickBatcher } from '../src/internal/tick-batcher.js';

/** Batches of strings weighing their length, at most 4 per send, answering each string's length. */
function lengthBatcher() {
  const sends: string[][] = [];
  const batcher = new TickBatcher<string, number>(
    async (items) => {
      sends.push(items);
      return items.map((s) => s.length);
    },
    4,
    (item) => item.length,
  );
  return { sends, batcher };
}

describe('TickBatcher', () => {
  it('sends the calls of one turn together, at most maxBatch per send', async () => {
    const sends: number[][] = [];
    const batcher = new TickBatcher<number, number>(async (items) => {
      sends.push(items);
      return items.map((n) => n * 10);
    }, 2);
    expect(await Promise.all([1, 2, 3].map((n) => batcher.add(n)))).toEqual([10, 20, 30]);
    expect(sends).toEqual([[1, 2], [3]]);
  });

  it('bounds the weight of a send, and sends an item heavier than maxBatch alone', async () => {
    const { sends, batcher } = lengthBatcher();
    await Promise.all(['aa', 'bb', 'c', 'dddddd', 'e'].map((s) => batcher.add(s)));
    expect(sends).toEqual([['aa', 'bb'], ['c'], ['dddddd'], ['e']]);
  });

  it('sends a full batch at once, with what came before it, so the caller prepares the next meanwhile', () => {
    const { sends, batcher } = lengthBatcher();
    void batcher.add('a');
    expect(sends).toEqual([]); // a light item waits for the rest of the turn
    void batcher.add('bbbb');
    expect(sends).toEqual([['a'], ['bbbb']]); // synchronously: nothing waited for the tick
    void batcher.add('c');
    expect(sends).toEqual([['a'], ['bbbb']]);
  });

  it('fails every call of a failed send', async () => {
    const batcher = new TickBatcher<number, number>(async () => {
      throw new Error('down');
    }, 10);
    const outcomes = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });
});
