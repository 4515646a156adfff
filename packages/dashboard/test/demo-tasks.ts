import type { Celeriac, TaskContext } from '@celeriac/core';

/**
 * The tasks the dashboard's tests run: one that adds, one that fails its first attempt (so a retry
 * from the page makes it succeed), one that does the same into the dead-letter queue, one that
 * reports progress, one on its own queue to pause, and two schedules (run only where a test
 * starts a scheduler).
 */
export function registerDemoTasks(app: Celeriac) {
  const add = app.task({ name: 'demo.add' }, (a: number, b: number) => a + b);
  const flaky = app.task({ name: 'demo.flaky', bind: true }, (ctx: TaskContext, x: number) => {
    if (ctx.attempt === 1) throw new TypeError(`first attempt of ${x} fails on purpose`);
    return x * 2;
  });
  const letter = app.task({ name: 'demo.letter', bind: true, deadLetter: true }, (ctx: TaskContext, x: number) => {
    if (ctx.attempt === 1) throw new RangeError(`first attempt of ${x} goes to the dead letters`);
    return x + 1;
  });
  const slow = app.task({ name: 'demo.slow', bind: true }, async (ctx: TaskContext, steps: number, stepMs: number) => {
    for (let i = 1; i <= steps; i++) {
      await new Promise((resolve) => setTimeout(resolve, stepMs));
      await ctx.progress(i, steps, `step ${i} of ${steps}`);
    }
    return { steps };
  });
  const mail = app.task({ name: 'mail.send', queue: 'mail' }, (to: string) => `sent to ${to}`);
  const tick = app.task({ name: 'demo.tick' }, () => 'tick');
  app.schedule(add, { every: 3_600_000, args: [1, 2], name: 'hourly-add' });
  app.schedule(tick, { every: 2_000, name: 'tick-every-2s' });
  return { add, flaky, letter, slow, mail, tick };
}
