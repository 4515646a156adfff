import { afterEach, describe, expect, it } from 'vitest';
import { Celeriac, TaskFailedError, type WorkflowFailure, chain, chord, group, task } from '../src/index.js';

class Numbers {
  calls: string[] = [];

  @task()
  add(a: number, b: number): number {
    this.calls.push(`add(${a},${b})`);
    return a + b;
  }

  @task()
  async slowDouble(n: number): Promise<number> {
    await new Promise<void>((r) => setTimeout(r, 5 + (n % 3) * 5));
    this.calls.push(`double(${n})`);
    return n * 2;
  }

  @task()
  sum(values: number[], label: string): string {
    this.calls.push(`sum(${values.join(',')})`);
    return `${label}: ${values.reduce((a, b) => a + b, 0)}`;
  }

  @task()
  explode(n: number): number {
    throw new RangeError(`cannot take ${n}`);
  }

  @task()
  onFailure(failure: WorkflowFailure, tag: string): string {
    this.calls.push(`errback(${tag},${failure.error.type})`);
    return tag;
  }
}

function setup(eager = false) {
  const app = new Celeriac({ eager });
  const numbers = new Numbers();
  const t = app.register(numbers);
  return { app, numbers, t };
}

describe.each([false, true])('canvas (eager: %s)', (eager) => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
  });
  const start = async () => {
    const s = setup(eager);
    if (!eager) await s.app.worker({ concurrency: 10, pollInterval: 20 }).start();
    close = () => s.app.close();
    return s;
  };

  it('chain passes each result to the next partial link', async () => {
    const { t, numbers } = await start();
    const result = await chain(t.add.s(2, 2)).then(t.add.partial(4)).then(t.add.partial(8)).applyAsync();
    expect(await result.get({ timeout: 5_000 })).toBe(16);
    expect(numbers.calls).toEqual(['add(2,2)', 'add(4,4)', 'add(8,8)']);
  });

  it('a failing link stops the chain, fails the rest without running them, and runs error callbacks', async () => {
    const { t, numbers, app } = await start();
    const result = await chain(t.add.s(1, 1)).then(t.explode.partial()).then(t.add.partial(100)).onError(t.onFailure.partial('chain-1')).applyAsync();
    const error = (await result.get({ timeout: 5_000 }).catch((e: unknown) => e)) as TaskFailedError;
    expect(error).toBeInstanceOf(TaskFailedError);
    expect(error.remote).toMatchObject({ type: 'ChainFailedError', code: 'WORKFLOW_FAILED' });
    expect(error.remote.message).toMatch(/step Numbers.explode \(.+\) failed: RangeError: cannot take 2/);
    for (let i = 0; i < 100 && !numbers.calls.some((c) => c.startsWith('errback')); i++) await new Promise<void>((r) => setTimeout(r, 20));
    expect(numbers.calls).toEqual(['add(1,1)', 'errback(chain-1,RangeError)']);
    void app;
  });

  it('group runs tasks in parallel and returns results in order', async () => {
    const { t } = await start();
    const results = await group(t.slowDouble.s(1), t.slowDouble.s(2), t.slowDouble.s(3), t.add.s(10, 5)).applyAsync();
    expect(await results.wait({ timeout: 5_000 })).toEqual([2, 4, 6, 15]);
    await results.refresh();
    expect(results.ready()).toBe(true);
    expect(results.completedCount()).toBe(4);
  });

  it('chord runs its callback once with every result', async () => {
    const { t, numbers } = await start();
    const members = Array.from({ length: 12 }, (_, i) => t.slowDouble.s(i));
    const result = await chord(group(...members), t.sum.partial('total')).applyAsync();
    expect(await result.get({ timeout: 5_000 })).toBe(`total: ${2 * 66}`);
    expect(numbers.calls.filter((c) => c.startsWith('sum('))).toEqual([`sum(${Array.from({ length: 12 }, (_, i) => i * 2).join(',')})`]);
  });

  it('a failing member fails the chord callback without running it', async () => {
    const { t, numbers } = await start();
    const result = await chord(group(t.add.s(1, 2), t.explode.s(7)), t.sum.partial('never')).applyAsync();
    const error = (await result.get({ timeout: 5_000 }).catch((e: unknown) => e)) as TaskFailedError;
    expect(error.remote).toMatchObject({ type: 'ChordFailedError' });
    expect(error.remote.message).toMatch(/did not succeed: RangeError: cannot take 7/);
    expect(numbers.calls.some((c) => c.startsWith('sum('))).toBe(false);
  });
});

describe('chord under concurrency', () => {
  it('fires the callback exactly once when members finish together on several workers', async () => {
    const { app, t, numbers } = setup();
    const workers = Array.from({ length: 4 }, () => app.worker({ concurrency: 25, pollInterval: 10 }));
    await Promise.all(workers.map((w) => w.start()));
    for (let round = 0; round < 5; round++) {
      const members = Array.from({ length: 50 }, () => t.add.s(1, 0)); // all finish within the same ticks
      const result = await chord(group(...members), t.sum.partial(`round ${round}`)).applyAsync();
      expect(await result.get({ timeout: 5_000 })).toBe(`round ${round}: 50`);
    }
    expect(numbers.calls.filter((c) => c.startsWith('sum('))).toHaveLength(5);
    await app.close();
  });
});
