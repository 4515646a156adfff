import { describe, expectTypeOf, it } from 'vitest';
import { type AsyncResult, Celeriac, type Chain, type GroupResult, chain, chord, group, task } from '../src/index.js';

class T {
  @task()
  fetch(url: string): Promise<{ body: string }> {
    return Promise.resolve({ body: url });
  }
  @task()
  parse(page: { body: string }, strict: boolean): number {
    return strict ? page.body.length : 0;
  }
  @task()
  total(counts: number[]): number {
    return counts.length;
  }
}

const t = new Celeriac().register(new T());

describe('canvas types', () => {
  it('threads result types through a chain', () => {
    const c = chain(t.fetch.s('https://example.com')).then(t.parse.partial(true));
    expectTypeOf(c.applyAsync()).toEqualTypeOf<Promise<AsyncResult<number>>>();
    // @ts-expect-error: parse needs a page, and a number is not a page
    void chain(t.total.s([1])).then(t.parse.partial(true));
    // @ts-expect-error: partial takes the arguments after the first
    void t.parse.partial({ body: '' }, true);
  });

  it('types group results as a tuple and checks the chord callback against it', () => {
    const g = group(t.fetch.s('a'), t.total.s([1, 2]));
    expectTypeOf(g.applyAsync()).toEqualTypeOf<Promise<GroupResult<[{ body: string }, number]>>>();
    const counts = group(t.total.s([1]), t.total.s([2]));
    expectTypeOf(chord(counts, t.total.partial()).applyAsync()).toEqualTypeOf<Promise<AsyncResult<number>>>();
    // @ts-expect-error: total wants number[], the group gives pages
    void chord(group(t.fetch.s('a')), t.total.partial());
  });

  it('infers results through nesting: group of chains, chain of groups, chord of chains, chord in a chain', () => {
    const pages = chain(t.fetch.s('a')).then(t.parse.partial(true));
    expectTypeOf(group(pages, t.total.s([1])).applyAsync()).toEqualTypeOf<Promise<GroupResult<[number, number]>>>();
    expectTypeOf(chord(group(pages, pages), t.total.partial()).applyAsync()).toEqualTypeOf<Promise<AsyncResult<number>>>();
    const ofGroups = chain(group(t.total.s([1]), t.total.s([2]))).then(t.total.partial());
    expectTypeOf(ofGroups.applyAsync()).toEqualTypeOf<Promise<AsyncResult<number>>>();
    const withChord = chain(t.fetch.s('a')).then(chord(group(t.parse.partial(true), t.parse.partial(false)), t.total.partial()));
    expectTypeOf(withChord.applyAsync()).toEqualTypeOf<Promise<AsyncResult<number>>>();
    expectTypeOf(chain(t.total.s([1])).then(group(t.total.s([1]), pages))).toEqualTypeOf<Chain<[number, number]>>();
    // @ts-expect-error: the group gives pages, total wants numbers
    void chain(group(t.fetch.s('a'))).then(t.total.partial());
    // @ts-expect-error: a chord of chains checks the callback against the chains' results
    void chord(group(chain(t.fetch.s('a'))), t.total.partial());
  });
});
