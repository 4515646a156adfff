import { Celeriac, type TaskContext, consoleLogger } from '@celeriac/core';
import { createRedisStore } from '@celeriac/redis';
import { STREAM_EVENTS } from '../../env.js';
import { type Order, argument, invoice } from '../payload.js';
import type { RedisTarget } from '../peer.js';
import { type FollowReport, PROGRESS_UPDATES, type Roles, epochMs, inOrder, paced } from './role.js';

async function open(target: RedisTarget) {
  const store = createRedisStore({ connection: target.url });
  await store.connect();
  const app = new Celeriac({ store, logger: consoleLogger('warn'), events: STREAM_EVENTS });
  const noop = app.task({ name: 'bench.noop' }, (_i: number) => null);
  const kb = app.task({ name: 'bench.1kb' }, (o: Order) => invoice(o));
  const progress = app.task({ name: 'bench.progress', bind: true }, async (ctx: TaskContext, _i: number) => {
    for (let n = 1; n <= PROGRESS_UPDATES; n++) await ctx.progress(n, PROGRESS_UPDATES);
    return null;
  });
  const close = async () => {
    await app.close();
    await store.close();
  };
  return { app, noop, kb, progress, close };
}

export function celeriacRoles(target: RedisTarget): Roles {
  return {
    async worker(concurrency) {
      // Every kind's task is registered: the worker serves whichever arrives.
      const { app, close } = await open(target);
      const worker = app.worker({ concurrency });
      return { start: () => worker.start(), close };
    },
    async steady(rate, count, kind) {
      const { noop, kb, close } = await open(target);
      try {
        return await paced(rate, count, async (i, dueAt) => {
          if (kind === 'noop') await (await noop.delay(i)).wait();
          else await (await kb.delay(argument(kind, i) as Order)).wait();
          return epochMs() - dueAt;
        });
      } finally {
        await close();
      }
    },
    async sequential(count) {
      const { noop, close } = await open(target);
      try {
        const samples: number[] = [];
        for (let i = 0; i < count; i++) {
          const sentAt = epochMs();
          await (await noop.delay(i)).wait();
          samples.push(epochMs() - sentAt);
        }
        return samples;
      } finally {
        await close();
      }
    },
    async follow(count) {
      const { app, progress, close } = await open(target);
      const store = await app.connect();
      const results = await progress.bulk(Array.from({ length: count }, (_, i) => [i] as [number]));
      let left = count;
      let incomplete = 0;
      let finish!: (report: FollowReport) => void;
      const done = new Promise<FollowReport>((resolve) => (finish = resolve));
      // The store's own subscription, as AsyncResult.updates() uses it: it says when it is live.
      const ready = Promise.all(
        results.map((result) => {
          const values: number[] = [];
          let seq = 0;
          return store.subscribe(result.id, (record) => {
            if (record.seq <= seq) return;
            seq = record.seq;
            if (record.state === 'PROGRESS') values.push(Number(record.meta?.current));
            else if (record.state === 'SUCCESS') {
              if (!inOrder(values)) incomplete++;
              if (--left === 0) finish({ lastHeardAt: epochMs(), incomplete });
            }
          });
        }),
      );
      return { ready: ready.then(() => undefined), done: done.finally(close) };
    },
  };
}
