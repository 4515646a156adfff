import { describe, expect, it } from 'vitest';
import { findNonJson, inspectJson } from '../src/internal/json-check.js';

const loose = { maxDepth: Number.POSITIVE_INFINITY, maxSize: Number.POSITIVE_INFINITY };

function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

describe('the JSON check', () => {
  it('accepts JSON values and names the first part that is not, by its path', () => {
    expect(findNonJson([1, 'a', null, true, { b: [1, { c: 'x' }] }, new Date()], 'args')).toBeUndefined();
    expect(findNonJson([1, { when: undefined, list: [1, undefined] }], 'args')).toBe('args[1].list[1] is undefined (use null)');
    expect(findNonJson([{ n: Number.NaN }], 'args')).toBe('args[0].n is NaN (JSON has no NaN or Infinity)');
    expect(findNonJson([new Map()], 'args')).toMatch(/^args\[0\] is a Map instance/);
    expect(findNonJson([1n], 'args')).toBe('args[0] is a bigint (pass it as a string)');
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    expect(findNonJson([cycle], 'args')).toBe('args[0].self is a circular reference');
    // The same object twice, side by side, is no cycle.
    const shared = { x: 1 };
    expect(findNonJson([shared, shared], 'args')).toBeUndefined();
  });

  it('answers for a value nested 100,000 levels deep without overflowing the stack', () => {
    const deep = nested(100_000);
    // Without limits (a task's result), the walk still stops at 1,000 levels.
    expect(findNonJson(deep)).toMatch(/^\$\.a\[0\]\.a.* is nested more than 1000 levels deep$/);
    expect(findNonJson(nested(999))).toBeUndefined();
    const problem = inspectJson([deep], 'args', { ...loose, maxDepth: 64 });
    expect(problem?.kind).toBe('depth');
    expect(problem?.message).toMatch(/ is nested more than 64 levels deep$/);
    expect(problem?.message.startsWith('args[0].a[0].a')).toBe(true);
  });

  it('counts depth from the outermost container: exactly maxDepth levels pass', () => {
    expect(inspectJson(nested(4), '$', { ...loose, maxDepth: 4 })).toBeUndefined();
    expect(inspectJson(nested(5), '$', { ...loose, maxDepth: 4 })?.kind).toBe('depth');
  });

  it('measures the JSON size as it walks, stopping at the limit', () => {
    const value = ['x'.repeat(100), { key: 'y'.repeat(100) }];
    const size = JSON.stringify(value).length;
    expect(inspectJson(value, 'args', { ...loose, maxSize: size })).toBeUndefined();
    expect(inspectJson(value, 'args', { ...loose, maxSize: 150 })).toEqual({ kind: 'size', message: 'args is larger than 150 characters of JSON' });
    // Many small parts add up, not only long strings.
    const many = Array.from({ length: 10_000 }, () => 1);
    expect(inspectJson(many, 'args', { ...loose, maxSize: 5_000 })?.kind).toBe('size');
  });
});
