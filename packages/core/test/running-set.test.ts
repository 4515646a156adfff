import { describe, expect, it } from 'vitest';
import { RunningSet } from '../src/worker/running-set.js';

const item = (name: string) => ({ name, slot: -1 });

describe('RunningSet', () => {
  it('adds and removes in any order, keeping every other item', () => {
    const set = new RunningSet<ReturnType<typeof item>>();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(item) as [ReturnType<typeof item>, ReturnType<typeof item>, ReturnType<typeof item>, ReturnType<typeof item>];
    for (const x of [a, b, c, d]) set.add(x);
    expect(set.delete(b)).toBe(true);
    expect(set.toArray().map((x) => x.name).sort()).toEqual(['a', 'c', 'd']);
    expect(set.delete(a)).toBe(true);
    expect(set.delete(d)).toBe(true);
    expect(set.toArray().map((x) => x.name)).toEqual(['c']);
    expect(set.size).toBe(1);
  });

  it('refuses to remove an item twice or one it never held', () => {
    const set = new RunningSet<ReturnType<typeof item>>();
    const a = item('a');
    const b = item('b');
    set.add(a);
    expect(set.delete(a)).toBe(true);
    expect(set.delete(a)).toBe(false);
    expect(set.delete(b)).toBe(false);
    expect(set.size).toBe(0);
  });

  it('gives a copy that stays whole while items are removed', () => {
    const set = new RunningSet<ReturnType<typeof item>>();
    const items = ['a', 'b', 'c'].map(item);
    for (const x of items) set.add(x);
    const seen: string[] = [];
    for (const x of set.toArray()) {
      seen.push(x.name);
      set.delete(x);
    }
    expect(seen.sort()).toEqual(['a', 'b', 'c']);
    expect(set.size).toBe(0);
  });
});
