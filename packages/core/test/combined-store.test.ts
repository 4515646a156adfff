import { MemoryBackend, MemoryBroker } from '@celeriac/memory';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMBINED_ENQUEUE_STEP } from '../src/app/create-and-publish.js';
import { type ApplyResult, Celeriac, type CombinedStore, type Delivery, type StateUpdate, type TaskContext, type TaskMessage, chain } from '../src/index.js';

/** The memory broker's combined store, recording which of its paths core takes. */
class CombinedMemoryBroker extends MemoryBroker {
  readonly calls: string[] = [];
  /** While set, settles wait for it: an outcome slow to reach the store. */
  settleGate: Promise<void> | undefined;

  override combinedWith(backend: MemoryBackend): CombinedStore {
    const store = super.combinedWith(backend);
    if (store === undefined) throw new Error('the memory broker offers no combined store for its own backend');
    return {
      enqueue: (messages: readonly TaskMessage[]): Promise<ApplyResult[]> => {
        this.calls.push(`enqueue ${messages.map((m) => m.task).join(',')}`);
        return store.enqueue(messages);
      },
      settle: async (delivery: Delivery, update: StateUpdate, next?: TaskMessage): Promise<ApplyResult> => {
        this.calls.push(`settle ${delivery.message.task} ${update.state}${next === undefined ? '' : ' +next'}`);
        await this.settleGate;
        return store.settle(delivery, update, next);
      },
    };
  }
}

describe('a broker with a combined store', () => {
  let app: Celeriac | undefined;
  afterEach(async () => {
    await app?.close();
  });

  const setup = (eager = false) => {
    const broker = new CombinedMemoryBroker();
    const backend = new MemoryBackend();
    app = new Celeriac({ broker, backend, eager });
    const add = app.task({ name: 'add' }, (a: number, b: number) => a + b);
    let failures = 1;
    const flaky = app.task({ name: 'flaky', bind: true, retries: 2 }, (ctx: TaskContext) => {
      if (failures-- > 0) ctx.retry({ countdown: 0 });
      return ctx.attempt;
    });
    return { app, broker, backend, add, flaky };
  };

  it('enqueues through it and settles outcomes and retries through it', async () => {
    const { app, broker, add, flaky } = setup();
    await app.worker({ pollInterval: 20 }).start();
    expect(await (await add.delay(2, 3)).wait({ timeout: 2_000 })).toBe(5);
    expect(await (await flaky.delay()).wait({ timeout: 2_000 })).toBe(2);
    expect(broker.calls).toEqual(['enqueue add', 'settle add SUCCESS', 'enqueue flaky', 'settle flaky RETRY +next', 'settle flaky SUCCESS']);
    expect(await broker.size('default')).toBe(0);
  });

  it('refuses an id in use through it, enqueuing nothing', async () => {
    const { broker, add } = setup();
    await add.applyAsync([1, 1], { taskId: 'taken' });
    await expect(add.applyAsync([1, 2], { taskId: 'taken' })).rejects.toThrow(/"taken" is already in use/);
    expect(await broker.size('default')).toBe(1);
  });

  it('keeps store → follow-ups → ack for a message with follow-ups', async () => {
    const { app, broker, add } = setup();
    await app.worker({ pollInterval: 20 }).start();
    const result = await chain(add.s(1, 2)).then(add.partial(10)).applyAsync();
    expect(await result.wait({ timeout: 2_000 })).toBe(13);
    // The first link starts the second: stored and acked apart. The last has no follow-up.
    expect(broker.calls).toEqual(['enqueue add', 'settle add SUCCESS']);
  });

  it('gives a slot to the next task once the outcome is handed over, and closes only after it is stored', async () => {
    const { app, broker, backend } = setup();
    let opened!: () => void;
    broker.settleGate = new Promise<void>((resolve) => {
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
    expect((await backend.get(first?.id ?? ''))?.state).toBe('STARTED');
    let closed = false;
    const closing = worker.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    opened();
    await closing;
    expect(worker.activeCount).toBe(0);
    expect((await backend.get(first?.id ?? ''))?.state).toBe('SUCCESS');
    expect((await backend.get(second?.id ?? ''))?.state).toBe('SUCCESS');
    expect(await broker.size('default')).toBe(0);
  });

  it('takes a large bulk in steps of COMBINED_ENQUEUE_STEP messages, each one call', async () => {
    const { broker, add } = setup();
    const results = await add.bulk(Array.from({ length: COMBINED_ENQUEUE_STEP * 2 + 1 }, (_, i) => [i, 1]));
    expect(results).toHaveLength(COMBINED_ENQUEUE_STEP * 2 + 1);
    expect(broker.calls.map((c) => c.split(',').length)).toEqual([COMBINED_ENQUEUE_STEP, COMBINED_ENQUEUE_STEP, 1]);
    expect(await broker.size('default')).toBe(COMBINED_ENQUEUE_STEP * 2 + 1);
  });

  it('makes each step of a large bulk just before sending it, once every call is checked', async () => {
    const broker = new CombinedMemoryBroker();
    let made = 0;
    app = new Celeriac({ broker, backend: new MemoryBackend(), generateId: () => `id-${++made}` });
    const idsMadeAtEachStep: number[] = [];
    const combinedWith = broker.combinedWith.bind(broker);
    broker.combinedWith = (backend) => {
      const store = combinedWith(backend);
      return { ...store, enqueue: (messages, options) => (idsMadeAtEachStep.push(made), store.enqueue(messages, options)) };
    };
    const add = app.task({ name: 'add' }, (a: number, b: number) => a + b);
    const calls = Array.from({ length: COMBINED_ENQUEUE_STEP * 2 + 1 }, (_, i): unknown[] => [i, 1]);

    calls[COMBINED_ENQUEUE_STEP * 2] = [Number.NaN, 1];
    await expect(add.bulk(calls as [number, number][])).rejects.toThrow(new RegExp(`call ${COMBINED_ENQUEUE_STEP * 2}: args\\[0\\] is NaN`));
    expect(made).toBe(0);
    expect(await broker.size('default')).toBe(0);

    calls[COMBINED_ENQUEUE_STEP * 2] = [0, 1];
    const results = await add.bulk(calls as [number, number][]);
    expect(idsMadeAtEachStep).toEqual([COMBINED_ENQUEUE_STEP, COMBINED_ENQUEUE_STEP * 2, COMBINED_ENQUEUE_STEP * 2 + 1]);
    expect(results.map((r) => r.id)).toEqual(calls.map((_, i) => `id-${i + 1}`));
  });

  it('keeps the steps already sent when a later message cannot be made, and rejects with the reason', async () => {
    const broker = new CombinedMemoryBroker();
    let made = 0;
    app = new Celeriac({
      broker,
      backend: new MemoryBackend(),
      generateId: () => {
        if (++made > COMBINED_ENQUEUE_STEP + 10) throw new Error('out of ids');
        return `id-${made}`;
      },
    });
    const add = app.task({ name: 'add' }, (a: number, b: number) => a + b);
    await expect(add.bulk(Array.from({ length: COMBINED_ENQUEUE_STEP * 2 }, (_, i) => [i, 1]))).rejects.toThrow('out of ids');
    expect(await broker.size('default')).toBe(COMBINED_ENQUEUE_STEP);
  });

  it('is not used in eager mode', async () => {
    const { broker, add } = setup(true);
    expect(await (await add.delay(2, 2)).wait({ timeout: 2_000 })).toBe(4);
    expect(broker.calls).toEqual([]);
  });
});
