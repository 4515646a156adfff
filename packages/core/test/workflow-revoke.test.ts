import { afterEach, describe, expect, it } from 'vitest';
import { Celeriac, type WorkflowFailure, chain, chord, group, task } from '../src/index.js';

class Steps {
  calls: string[] = [];

  @task()
  async step(n: number, delayMs = 0): Promise<number> {
    await new Promise((r) => setTimeout(r, delayMs));
    this.calls.push(`step(${n})`);
    return n;
  }

  @task()
  plus(previous: number, n: number): number {
    this.calls.push(`plus(${previous},${n})`);
    return previous + n;
  }

  @task()
  total(values: number[]): number {
    this.calls.push('total');
    return values.reduce((a, b) => a + b, 0);
  }

  @task()
  alert(failure: WorkflowFailure): string {
    this.calls.push(`alert(${failure.taskId})`);
    return 'alerted';
  }
}

describe('revoking a waiting member ends its workflow (memory)', () => {
  let app: Celeriac;
  /** Every id the app generated, in order: a chain's links come first, a chord's members last. */
  let ids: string[];
  afterEach(async () => {
    await app.close();
  });
  const setup = () => {
    ids = [];
    app = new Celeriac({ generateId: () => ids[ids.push(`id-${ids.length + 1}`) - 1] as string });
    const steps = new Steps();
    return { steps, t: app.register(steps) };
  };

  it('a revoked chain head: the later links fail (ChainFailedError naming it) and the error callback runs', async () => {
    const { steps, t } = setup();
    const last = await chain(t.step.s(1)).then(t.plus.partial(2)).then(t.plus.partial(3)).onError(t.alert.partial()).applyAsync();
    const headId = ids[0] as string;
    expect(await app.revoke(headId)).toBe('revoked');
    await app.worker({ pollInterval: 20 }).start();
    await expect(last.get({ timeout: 2_000 })).rejects.toThrow(/ChainFailedError|step Steps\.step .* failed/);
    const record = (await last.refresh()).record;
    expect(record).toMatchObject({ state: 'FAILURE', error: { type: 'ChainFailedError' } });
    expect(record?.error?.message).toContain(headId);
    await waitFor(() => steps.calls.includes(`alert(${headId})`));
    expect(steps.calls).toEqual([`alert(${headId})`]);
  });

  it('a link revoked while an earlier one runs: the chain stops there, the links after it fail', async () => {
    const { steps, t } = setup();
    await app.worker({ pollInterval: 20 }).start();
    const last = await chain(t.step.s(1, 150)).then(t.plus.partial(2)).then(t.plus.partial(3)).applyAsync();
    const second = ids[1] as string;
    expect(await app.revoke(second)).toBe('revoked');
    await expect(last.get({ timeout: 2_000 })).rejects.toThrow(new RegExp(`step Steps.plus \\(${second}\\) failed`));
    expect(steps.calls).toEqual(['step(1)']);
  });

  it('a revoked chord member: the callback fails with ChordFailedError naming it, never PENDING', async () => {
    const { steps, t } = setup();
    const callback = await chord(group(t.step.s(1), t.step.s(2), t.step.s(3)), t.total.partial()).applyAsync();
    const members = ids.slice(-3);
    expect(await app.revoke(members[1] as string)).toBe('revoked');
    await app.worker({ pollInterval: 20 }).start();
    await expect(callback.get({ timeout: 2_000 })).rejects.toThrow(new RegExp(`chord member ${members[1]} did not succeed: REVOKED`));
    expect(steps.calls).not.toContain('total');
  });

});

async function waitFor(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !check() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 10));
}
