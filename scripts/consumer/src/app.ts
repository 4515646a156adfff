// The tasks of a consumer's app, compiled in every project shape the consumer test builds.
import { Celeriac, type TaskContext, task } from '@celeriac/core';

export class MathTasks {
  @task()
  async add(a: number, b: number): Promise<number> {
    return a + b;
  }

  @task({ bind: true, name: 'math.square' })
  async square(ctx: TaskContext, n: number): Promise<number> {
    await ctx.progress(1, 1, 'squared');
    return n * n;
  }
}

export const app = new Celeriac(); // the in-memory store from @celeriac/memory
export const tasks = app.register(new MathTasks());
