import { afterEach, describe, expect, it } from 'vitest';
import { Celeriac, type WorkflowFailure, chain, chord, group, task } from '../src/index.js';

class Steps {
  calls: string[] = [];

  @task()
  num(n: number): number {
    this.calls.push(`num(${n})`);
    return n;
  }

  @task()
  add(previous: number, n: number): number {
    this.calls.push(`add(${previous},${n})`);
    return previous + n;
  }

  @task()
  sum(values: number[]): number {
    this.calls.push(`sum(${values.join(',')})`);
    return values.reduce((a, b) => a + b, 0);
  }

  @task()
  fail(previous: number): number {
    throw new RangeError(`no ${previous}`);
  }

  @task()
  alert(failure: WorkflowFailure): string {
    this.calls.push(`alert(${failure.error.type})`);
    return 'alerted';
  }
}

describe.each([false, true])('nested workflows (eager: %s)', (eager) => {
  let app: Celeriac;
  afterEach(async () => {
    await app.close();
  });
  const start = async () => {
    app = new Celeriac({ eager });
    const steps = new Steps();
    const t = app.register(steps);
    if (!eager) await app.worker({ concurrency: 8, pollInterval: 20 }).start();
    return { steps, t };
  };

  it('a group of chains gives each chain’s last result, in order, and can be restored by id', async () => {
    const { t } = await start();
    const g = await group(chain(t.num.s(1)).then(t.add.partial(10)), t.num.s(5), chain(t.num.s(2)).then(t.add.partial(20)).then(t.add.partial(300))).applyAsync();
    expect(await g.wait({ timeout: 3_000 })).toEqual([11, 5, 322]);
    const restored = await app.groupResult<[number, number, number]>(g.id);
    expect(await restored?.wait({ timeout: 1_000 })).toEqual([11, 5, 322]);
    expect(await app.groupResult('no-such-group')).toBeNull();
  });

  it('a chain of groups: each group gets the previous result, the next link gets the list', async () => {
    const { t } = await start();
    const result = await chain(t.num.s(2)).then(group(t.add.partial(1), t.add.partial(10))).then(t.sum.partial()).then(group(t.add.partial(1), t.add.partial(2))).then(t.sum.partial()).applyAsync();
    expect(await result.get({ timeout: 3_000 })).toBe(33); // 2 → [3, 12] → 15 → [16, 17] → 33
  });

  it('a chain starting with a group', async () => {
    const { t } = await start();
    expect(await (await chain(group(t.num.s(1), t.num.s(2))).then(t.sum.partial()).then(t.add.partial(100)).applyAsync()).get({ timeout: 3_000 })).toBe(103);
  });

  it('a chord of chains gets each chain’s last result', async () => {
    const { t } = await start();
    const result = await chord(group(chain(t.num.s(1)).then(t.add.partial(1)), chain(t.num.s(2)).then(t.add.partial(2)).then(t.add.partial(2))), t.sum.partial()).applyAsync();
    expect(await result.get({ timeout: 3_000 })).toBe(2 + 6);
  });

  it('a chord inside a chain: its members get the previous result, the chain goes on after the callback', async () => {
    const { t } = await start();
    const result = await chain(t.num.s(5)).then(chord(group(t.add.partial(1), t.add.partial(2)), t.sum.partial())).then(t.add.partial(1000)).applyAsync();
    expect(await result.get({ timeout: 3_000 })).toBe(6 + 7 + 1000);
  });

  it('a failed member of a group in a chain fails the callback and the rest (ChordFailedError), and runs the error callback', async () => {
    const { steps, t } = await start();
    const result = await chain(t.num.s(5)).then(group(t.add.partial(1), t.fail.partial())).then(t.sum.partial()).then(t.add.partial(1)).onError(t.alert.partial()).applyAsync();
    await expect(result.get({ timeout: 3_000 })).rejects.toThrow(/chord member .* did not succeed: RangeError: no 5/);
    expect((await result.refresh()).record?.error?.type).toBe('ChordFailedError');
    for (let i = 0; i < 100 && !steps.calls.some((c) => c.startsWith('alert')); i++) await new Promise((r) => setTimeout(r, 10));
    expect(steps.calls).toContain('alert(ChordFailedError)');
    expect(steps.calls.filter((c) => c.startsWith('sum'))).toEqual([]);
  });

  it('refuses shapes it cannot run, before anything is enqueued', async () => {
    const { t } = await start();
    await expect(chain(t.num.s(1)).then(group(t.add.partial(1))).applyAsync()).rejects.toThrow(/cannot end with a group/);
    await expect(group(t.add.partial(1)).applyAsync()).rejects.toThrow(/needs a previous result/);
  });
});
