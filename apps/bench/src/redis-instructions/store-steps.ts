/**
 * Redis's work per task in each step of the Redis store apart: enqueue, reserve, settle. The store's
 * own calls are made as a worker at `concurrency` makes them (reserve up to `concurrency`, settle
 * those outcomes in one turn), one step at a time, each counted on its own. `taskListLimit` set
 * below the task count shows a store whose finished lists are full, so every settle's list push
 * also trims (the steady state of a busy deployment); unset, the lists stay under their bound.
 */
import { Celeriac, consoleLogger } from '@celeriac/core';
import { createRedisStore } from '@celeriac/redis';
import { type PayloadKind, argument, invoice, order } from '../redis-bench/payload.js';

/** Instructions per task of each step, and Redis bytes per finished task. */
export interface StepCounts {
  enqueue: number;
  reserve: number;
  settle: number;
  bytesPerFinished: number;
}

export interface StepTarget {
  readonly url: string;
  flush(): Promise<void>;
  usedMemory(): Promise<number>;
}

export async function storeSteps(
  target: StepTarget,
  count: (phase: () => Promise<unknown>) => Promise<number>,
  options: { tasks: number; concurrency: number; kind: PayloadKind; taskListLimit?: number },
): Promise<StepCounts> {
  const { tasks, concurrency, kind, taskListLimit } = options;
  await target.flush();
  const store = createRedisStore({ connection: target.url, ...(taskListLimit === undefined ? {} : { taskListLimit }) });
  const app = new Celeriac({ store, logger: consoleLogger('warn') });
  const handle = app.task({ name: 'bench.step' }, (_x: unknown) => null);
  const request = { queues: ['default'], tasks: ['bench.step'], max: concurrency, waitMs: 0, worker: 'bench-worker' };
  const result = kind === 'noop' ? null : invoice(order(0));
  try {
    await store.connect();
    const before = await target.usedMemory();
    const enqueue = await count(() => handle.bulk(Array.from({ length: tasks }, (_, i) => [argument(kind, i)] as [unknown])));
    let reserve = 0;
    let settle = 0;
    for (let done = 0; done < tasks; ) {
      let taken: Awaited<ReturnType<typeof store.reserve>> = [];
      reserve += await count(async () => {
        taken = await store.reserve(request);
      });
      if (taken.length === 0) throw new Error(`store steps: a reserve took nothing with ${tasks - done} tasks left`);
      const outcomes = taken;
      settle += await count(() => Promise.all(outcomes.map((d) => store.settle(d, { id: d.message.id, task: d.message.task, attempt: d.message.attempt, state: 'SUCCESS', result }))));
      done += taken.length;
    }
    const bytesPerFinished = ((await target.usedMemory()) - before) / tasks;
    return { enqueue: enqueue / tasks, reserve: reserve / tasks, settle: settle / tasks, bytesPerFinished };
  } finally {
    await app.close();
    await store.close();
  }
}
