import { describe, expect, it } from 'vitest';
import { randomUuid } from '../src/internal/random-uuid.js';

describe('randomUuid', () => {
  it('makes version 4 UUIDs in the RFC 4122 variant', () => {
    for (let i = 0; i < 1_000; i++) {
      expect(randomUuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('never repeats, across many refills of its random pool', () => {
    const ids = new Set(Array.from({ length: 50_000 }, randomUuid));
    expect(ids.size).toBe(50_000);
  });

  it('uses every hex digit in every random position', () => {
    const seen = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 2_000; i++) [...randomUuid()].forEach((c, at) => seen[at]?.add(c));
    const sizes = seen.map((s) => s.size);
    // Dashes and the version digit are fixed; the variant digit is one of 8, 9, a, b.
    expect(sizes).toEqual([...'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'].map((c) => (c === 'x' ? 16 : c === 'y' ? 4 : 1)));
  });
});
