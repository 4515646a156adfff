import { MemoryStore } from '@celeriac/memory';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ENQUEUE_STEP } from '../src/app/create-and-publish.js';
import type { ApplyResult, Delivery, StateUpdate, TaskMessage } from '../src/adapter.js';
import { Celeriac, type TaskContext, chain } from '../src/index.js';

/** A memory store recording which of its steps core takes. */
class RecordingStore extends MemoryStore {
  readonly calls: string[] = [];
  /** While set, settles wait for it: an outcome slow to reach the store. */
  settleGate: Promise<void> | undefined;
  /** Called before each enqueue goes to the store. */
  beforeEnqueue: (() => void) | undefined;

  override enqueue(messages: readonly TaskMessage[]): Promise<ApplyResult[]> {
    this.calls.push(`enqueue ${messages.map((m) => m.task).join(',')}`);
    this.beforeEnqueue?.();
    return super.enqueue(messages);
  }

  override async settle(delivery: Delivery, update: StateUpdate, next?: TaskMessage): Promise<ApplyResult> {
    this.calls.push(`settle ${delivery.message.task} ${update.state}${next === undefined ? '' : ' +next'}`);
    await this.settleGate;
    return super.settle(delivery, update, next);
  }
}

describe('the steps core takes through its store', () => {
  let app: Celeriac | undefined;
  afterEach(async () => {
    await app?.close();
  });

  const setup = (eager = false) => {
    const store = new RecordingStore();
    app = new Celeriac({ store, eager });
    const add = app.task({ name: 'add' }, (a: number, b: number) => a + b);
    let failures = 1;
    const flaky = app.task({ name: 'flaky', bind: true, retries: 2 }, (ctx: TaskContext) => {
      if (failures-- > 0) ctx.retry({ countdown: 0 });
      return ctx.attempt;
    });
    return { app, store, add, flaky };
  };

  it('enqueues through it and settles outcomes and retries through it', async () => {
    const { app, store, add, flaky } = setup();
    await app.worker({ pollInterval: 20 }).start();
    expect(await (await add.delay(2, 3)).wait({ timeout: 2_000 })).toBe(5);
    expect(await (await flaky.delay()).wait({ timeout: 2_000 })).toBe(2);
    expect(store.calls).toEqual(['enqueue add', 'settle add SUCCESS', 'enqueue flaky', 'settle flaky RETRY +next', 'settle flaky SUCCESS']);
    expect(await store.size('default')).toBe(0);
  });

  it('refuses an id in use through it, enqueuing nothing', async () => {
    const { store, add } = setup();
    await add.applyAsync([1, 1], { taskId: 'taken' });
    await expect(add.applyAsync([1, 2], { taskId: 'taken' })).rejects.toThrow(/"taken" is already in use/);
    expect(await store.size('default')).toBe(1);
  });

  it('keeps store → follow-ups → ack for a message with follow-ups', async () => {
    const { app, store, add } = setup();
    await app.worker({ pollInterval: 20 }).start();
    const result = await chain(add.s(1, 2)).then(add.partial(10)).applyAsync();
    expect(await result.wait({ timeout: 2_000 })).toBe(13);
    // The first link starts the second: stored and acked apart. The last has no follow-up.
    expect(store.calls).toEqual(['enqueue add', 'settle add SUCCESS']);
  });

  it('gives a slot to the next task once the outcome is handed over, and closes only after it is stored', async () => {
    const { app, store } = setup();
    let opened!: () => void;
    store.settleGate = new Promise<void>((resolve) => {
      opened = resolve;
    });
    const ran: number[] = [];
    const step = app.task({ name: 'step' }, (n: number) => {
      ran.push(n);
      return n;
    });
    const worker = app.worker({ concurrency: 1, pollInterval: 20 });
    await worker.start();
    const [first, second] = await step.bulk([[1], [2]]);
    // Concurrency 1, and the first outcome is not stored yet: the second task ran all the same.
    await vi.waitFor(() => expect(ran).toEqual([1, 2]));
    expect(worker.activeCount).toBe(2);
    expect((await store.get(first?.id ?? ''))?.state).toBe('STARTED');
    let closed = false;
    const closing = worker.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    opened();
    await closing;
    expect(worker.activeCount).toBe(0);
    expect((await store.get(first?.id ?? ''))?.state).toBe('SUCCESS');
    expect((await store.get(second?.id ?? ''))?.state).toBe('SUCCESS');
    expect(await store.size('default')).toBe(0);
  });

  it('takes a large bulk in steps of ENQUEUE_STEP messages, each one call', async () => {
    const { store, add } = setup();
    const results = await add.bulk(Array.from({ length: ENQUEUE_STEP * 2 + 1 }, (_, i) => [i, 1]));
    expect(results).toHaveLength(ENQUEUE_STEP * 2 + 1);
    expect(store.calls.map((c) => c.split(',').length)).toEqual([ENQUEUE_STEP, ENQUEUE_STEP, 1]);
    expect(await store.size('default')).toBe(ENQUEUE_STEP * 2 + 1);
  });

  it('makes each step of a large bulk just before sending it, once every call is checked', async () => {
    const store = new RecordingStore();
    let made = 0;
    app = new Celeriac({ store, generateId: () => `id-${++made}` });
    const idsMadeAtEachStep: number[] = [];
    store.beforeEnqueue = () => idsMadeAtEachStep.push(made);
    const add = app.task({ name: 'add' }, (a: number, b: number) => a + b);
    const calls = Array.from({ length: ENQUEUE_STEP * 2 + 1 }, (_, i): unknown[] => [i, 1]);

    calls[ENQUEUE_STEP * 2] = [Number.NaN, 1];
    await expect(add.bulk(calls as [number, number][])).rejects.toThrow(new RegExp(`call ${ENQUEUE_STEP * 2}: args\\[0\\] is NaN`));
    expect(made).toBe(0);
    expect(await store.size('default')).toBe(0);

    calls[ENQUEUE_STEP * 2] = [0, 1];
    const results = await add.bulk(calls as [number, number][]);
    expect(idsMadeAtEachStep).toEqual([ENQUEUE_STEP, ENQUEUE_STEP * 2, ENQUEUE_STEP * 2 + 1]);
    expect(results.map((r) => r.id)).toEqual(calls.map((_, i) => `id-${i + 1}`));
  });

  it('keeps the steps already sent when a later message cannot be made, and rejects with the reason', async () => {
    const store = new RecordingStore();
    let made = 0;
    app = new Celeriac({
      store,
      generateId: () => {
        if (++made > ENQUEUE_STEP + 10) throw new Error('out of ids');
        return `id-${made}`;
      },
    });
    const add = app.task({ name: 'add' }, (a: number, b: number) => a + b);
    await expect(add.bulk(Array.from({ length: ENQUEUE_STEP * 2 }, (_, i) => [i, 1]))).rejects.toThrow('out of ids');
    expect(await store.size('default')).toBe(ENQUEUE_STEP);
  });

  it('publishes nothing in eager mode', async () => {
    const { store, add } = setup(true);
    expect(await (await add.delay(2, 2)).wait({ timeout: 2_000 })).toBe(4);
    expect(store.calls).toEqual([]);
    expect(await store.size('default')).toBe(0);
  });
});
