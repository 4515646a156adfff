import { describe, expectTypeOf, it } from 'vitest';
import { type AsyncResult, Celeriac, type TaskContext, type TaskHandle, task } from '../src/index.js';

interface Report {
  rows: number;
  generatedAt: string;
}

class Reports {
  constructor(private readonly db: { count(table: string): Promise<number> }) {}

  @task()
  async build(table: string, limit?: number): Promise<Report> {
    return { rows: Math.min(await this.db.count(table), limit ?? Infinity), generatedAt: new Date().toISOString() };
  }

  @task({ bind: true })
  async long(ctx: TaskContext, total: number): Promise<{ result: number }> {
    await ctx.progress(0, total);
    return { result: 42 };
  }

  @task()
  ping(): 'pong' {
    return 'pong';
  }
}

const app = new Celeriac();
const tasks = app.register(new Reports({ count: async () => 1 }));

describe('handles infer arguments and results from the decorated method', () => {
  it('types delay() and applyAsync() from the parameters', () => {
    expectTypeOf(tasks.build.delay).parameters.toEqualTypeOf<[table: string, limit?: number | undefined]>();
    expectTypeOf(tasks.build.delay('users')).toEqualTypeOf<Promise<AsyncResult<Report>>>();
    expectTypeOf(tasks.build.applyAsync).parameter(0).toEqualTypeOf<[table: string, limit?: number | undefined]>();
    expectTypeOf(tasks.ping.delay).parameters.toEqualTypeOf<[]>();
  });

  it('drops the TaskContext of a bound task', () => {
    expectTypeOf(tasks.long.delay).parameters.toEqualTypeOf<[total: number]>();
    expectTypeOf(tasks.long).toEqualTypeOf<TaskHandle<[total: number], { result: number }>>();
  });

  it('resolves get()/wait() to the awaited return type', async () => {
    const result = await tasks.build.delay('users');
    expectTypeOf(result.get()).toEqualTypeOf<Promise<Report>>();
    expectTypeOf((await tasks.ping.delay()).wait()).toEqualTypeOf<Promise<'pong'>>();
    expectTypeOf(tasks.long.result('some-id')).toEqualTypeOf<AsyncResult<{ result: number }>>();
  });

  it('makes wrong arguments a compile error', () => {
    // @ts-expect-error: a number is not a table name
    void tasks.build.delay(1);
    // @ts-expect-error: the table is required
    void tasks.build.delay();
    // @ts-expect-error: too many arguments
    void tasks.ping.delay('extra');
    // @ts-expect-error: the context is supplied by the worker, not the caller
    void tasks.long.delay({} as TaskContext, 3);
    // @ts-expect-error: applyAsync takes the arguments as a tuple
    void tasks.build.applyAsync('users');
    // @ts-expect-error: unknown apply option
    void tasks.build.applyAsync(['users'], { countdwn: 5 });
    // @ts-expect-error: bulk takes a list of argument tuples
    void tasks.build.bulk(['users']);
  });

  it('types plain-function tasks too', () => {
    const add = app.task({ name: 'add' }, (a: number, b: number) => a + b);
    expectTypeOf(add.delay).parameters.toEqualTypeOf<[a: number, b: number]>();
    expectTypeOf(add.bulk).parameter(0).toEqualTypeOf<readonly [a: number, b: number][]>();
    // @ts-expect-error: strings are not numbers
    void add.delay('1', '2');
  });
});
