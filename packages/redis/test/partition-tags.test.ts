import { describe, expect, it } from 'vitest';
import { partitionPrefixes } from '../src/index.js';
import { slotOf } from '../src/internal/slot.js';

/** The range of `redis-cli --cluster create`'s N even ranges that `slot` falls in. */
function rangeOf(slot: number, n: number): number {
  return Math.min(n - 1, Math.floor((slot + 1) / (16_384 / n) - 1e-9));
}

describe('partition tags', () => {
  it('keeps the prefix for the home, and puts the N partitions in the N even ranges of the slot space, one each', () => {
    for (const prefix of ['celeriac', 'orders', 'a', 'tenant-42:prod']) {
      for (const n of [2, 3, 4, 6, 16]) {
        const tags = partitionPrefixes(prefix, n);
        expect(tags).toHaveLength(n);
        expect(tags[0]).toBe(prefix);
        expect(new Set(tags).size).toBe(n);
        // Partitions other than the home sit in the middle half of their range, away from its edges.
        const ranges = tags.map((tag) => rangeOf(slotOf(`{${tag}}`), n));
        expect(new Set(ranges).size).toBe(n);
        for (const tag of tags.slice(1)) expect(tag).toMatch(new RegExp(`^${prefix}#\\d+(\\.\\d+)?$`));
      }
    }
  });

  it('is the same in every process: a pure function of the prefix and the count', () => {
    expect(partitionPrefixes('celeriac', 3)).toEqual(partitionPrefixes('celeriac', 3));
    expect(partitionPrefixes('celeriac', 1)).toEqual(['celeriac']);
  });
});
