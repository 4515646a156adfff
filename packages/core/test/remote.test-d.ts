import { expectTypeOf, test } from 'vitest';
import { type AsyncResult, Celeriac } from '../src/index.js';

test('app.remote types a task registered elsewhere by its declared arguments and result', () => {
  const app = new Celeriac();
  const add = app.remote<[a: number, b: number], number>('tasks.add', { queue: 'celery' });
  expectTypeOf(add.delay(1, 2)).toEqualTypeOf<Promise<AsyncResult<number>>>();
  expectTypeOf(add.applyAsync([1, 2], { countdown: 1000, eta: new Date(), expires: 60_000, queue: 'celery' })).toEqualTypeOf<Promise<AsyncResult<number>>>();
  // @ts-expect-error a string is not a number
  void add.delay(1, 'two');
  // @ts-expect-error two arguments are declared
  void add.delay(1);
});
