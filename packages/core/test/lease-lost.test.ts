import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Delivery, StateUpdate } from '../src/adapter.js';
import { LeaseLostError, type TaskContext, task } from '../src/index.js';
import { deferred, startApp, tracker } from './support.js';

describe('worker: a run that lost its lease', () => {
  const track = tracker();
  afterEach(track.closeAll);

  it('sees its signal abort with LeaseLostError once a write is refused, and stores nothing more', async () => {
    const aborted = deferred<unknown>();
    let writes = 0;
    class T {
      @task({ bind: true })
      async report(ctx: TaskContext) {
        await ctx.progress(1, 3);
        ctx.signal.addEventListener('abort', () => aborted.resolve(ctx.signal.reason));
        await ctx.progress(2, 3); // refused: the lease is gone
        await ctx.progress(3, 3); // not even sent
        return 'stale outcome';
      }
    }
    let lose = false;
    const ctx = await track(
      startApp(new T(), {}, (store) => {
        const apply = store.apply.bind(store);
        store.apply = async (update: StateUpdate, delivery?: Delivery) => {
          if (delivery !== undefined) writes++;
          if (delivery !== undefined && lose) return { applied: false, current: await store.get(update.id), leaseLost: true };
          lose = true; // the first progress is stored; the lease is lost right after
          return apply(update, delivery);
        };
      }),
    );
    const settle = vi.spyOn(ctx.store, 'settle');
    const result = await ctx.tasks.report.delay();
    const reason = await aborted.promise;
    expect(reason).toBeInstanceOf(LeaseLostError);
    expect(reason).toMatchObject({ code: 'LEASE_LOST', taskId: result.id });
    await vi.waitFor(() => expect(ctx.worker.activeCount).toBe(0));
    expect(writes).toBe(2);
    expect(settle).not.toHaveBeenCalled();
    expect(await ctx.store.get(result.id)).toMatchObject({ state: 'PROGRESS', meta: { current: 1, total: 3 } });
  });
});
