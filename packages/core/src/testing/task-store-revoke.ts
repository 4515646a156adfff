import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Celeriac } from '../app/celeriac.js';
import type { TaskMessage, TaskStep } from '../contracts/message.js';
import type { TaskRecord } from '../contracts/record.js';
import type { Worker } from '../worker/worker.js';
import { makeMessage, sleep } from './fixtures.js';
import type { TaskStoreSuite } from './task-store-conformance.js';

const ALERTS = 'rv-alerts';

/** A workflow step of task `rv.add` (or `task`), in `queue`. */
function step(task = 'rv.add', queue = 'default', args: unknown[] = [1]): TaskStep {
  return { id: randomUUID(), task, args, queue, priority: 0, passResult: true };
}

/** Polls `check` (every 20 ms, up to 10 s) until it holds; throws naming `what` if it never does. */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  for (const end = Date.now() + 10_000; !(await check()); await sleep(20)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

/**
 * The part of `taskStoreConformance` about a revoked waiting message that carries a workflow: the
 * store keeps it (under its REVOKED record) instead of removing it, so when the revoking process
 * dies before ending the workflow, the worker that takes the message ends it; and when it did not,
 * the worker's second run changes nothing (error callbacks run once).
 */
export function taskStoreRevokeTests({ store }: TaskStoreSuite): void {
  describe('revoked workflow messages', () => {
    let app: Celeriac | undefined;
    const workers: Worker[] = [];
    let alerts = 0;

    /** An app on the suite's store running `rv.add` and `rv.alert` (an error callback, counted). */
    function makeApp(): Celeriac {
      app = new Celeriac({ store: store() });
      app.task({ name: 'rv.add' }, (a: number, b: number) => a + b);
      app.task({ name: 'rv.alert', queue: ALERTS }, (failure: { taskId: string }) => {
        alerts++;
        return failure.taskId;
      });
      return app;
    }

    async function startWorker(queues: string[]): Promise<Worker> {
      const worker = (app as Celeriac).worker({ queues, concurrency: 4, pollInterval: 50, heartbeatInterval: 1_000 });
      workers.push(worker);
      await worker.start();
      return worker;
    }

    /** What `app.revoke` does before it ends the workflow: the producer then dies. */
    async function revokeThenDie(id: string): Promise<TaskMessage | null> {
      expect(await store().apply({ id, state: 'REVOKED', meta: { reason: 'revoked' } })).toMatchObject({ applied: true });
      return store().revoke(id);
    }

    const state = async (id: string): Promise<TaskRecord | null> => store().get(id);
    const settledTo = (id: string, states: string[]) => async () => states.includes((await state(id))?.state ?? 'none');

    afterEach(async () => {
      for (const worker of workers.splice(0)) await worker.close();
      await app?.close();
      app = undefined;
      alerts = 0;
    });

    it('a chain head revoked while waiting is kept; if the revoker dies, a worker fails the chain and runs its error callback', async () => {
      makeApp();
      const [second, third, errback] = [step(), step(), step('rv.alert', ALERTS)];
      const head = makeMessage({ task: 'rv.add', args: [1, 2], chain: [second, third], errbacks: [errback] });
      await store().enqueue([head]);
      for (const s of [second, third]) await store().apply({ id: s.id, task: s.task, state: 'PENDING', attempt: 1, create: true });
      expect(await revokeThenDie(head.id)).toMatchObject({ id: head.id, chain: [{ id: second.id }, { id: third.id }] });
      expect(await store().size('default')).toBe(1); // kept until a worker takes it
      await startWorker(['default', ALERTS]);
      await eventually('the chain to fail', settledTo(third.id, ['FAILURE']));
      expect(await state(second.id)).toMatchObject({ state: 'FAILURE', error: { type: 'ChainFailedError' } });
      await eventually('the error callback to run', settledTo(errback.id, ['SUCCESS']));
      expect(await state(errback.id)).toMatchObject({ result: head.id });
      expect(await state(head.id)).toMatchObject({ state: 'REVOKED' });
      await eventually('the queue to empty', async () => (await store().size('default')) === 0);
      expect(alerts).toBe(1);
    });

    it('a delayed chord member revoked is kept delayed; if the revoker dies, a worker takes it when due and fails the callback', async () => {
      makeApp();
      const groupId = randomUUID();
      const [ran, revoked] = [makeMessage({ task: 'rv.add', args: [1, 1] }), makeMessage({ task: 'rv.add', args: [2, 2], eta: Date.now() + 1_000 })];
      const callback = step();
      const chord = { groupId, members: [ran.id, revoked.id], callback };
      await store().enqueue([ran, revoked].map((m) => ({ ...m, chord, groupId })));
      await store().apply({ id: callback.id, task: callback.task, state: 'PENDING', attempt: 1, create: true });
      expect(await revokeThenDie(revoked.id)).toMatchObject({ id: revoked.id, chord: { groupId } });
      expect(await store().size('default')).toBe(2);
      await startWorker(['default']);
      await eventually('the member that ran', settledTo(ran.id, ['SUCCESS']));
      await eventually('the chord callback to fail', settledTo(callback.id, ['FAILURE']));
      expect(await state(callback.id)).toMatchObject({ error: { type: 'ChordFailedError', message: expect.stringContaining(revoked.id) } });
      await eventually('the queue to empty', async () => (await store().size('default')) === 0);
    });

    it('a ready chord member revoked while waiting is kept; if the revoker dies, a worker counts it and the callback fails', async () => {
      makeApp();
      const groupId = randomUUID();
      const members = [makeMessage({ task: 'rv.add', args: [1, 1] }), makeMessage({ task: 'rv.add', args: [2, 2] })];
      const callback = step();
      const chord = { groupId, members: members.map((m) => m.id), callback };
      await store().enqueue(members.map((m) => ({ ...m, chord, groupId })));
      await store().apply({ id: callback.id, task: callback.task, state: 'PENDING', attempt: 1, create: true });
      expect(await revokeThenDie(members[1]?.id as string)).toMatchObject({ chord: { groupId } });
      await startWorker(['default']);
      await eventually('the chord callback to fail', settledTo(callback.id, ['FAILURE']));
      expect(await state(callback.id)).toMatchObject({ error: { type: 'ChordFailedError', message: expect.stringContaining(members[1]?.id as string) } });
      expect(await state(members[0]?.id as string)).toMatchObject({ state: 'SUCCESS', result: 2 });
      await eventually('the queue to empty', async () => (await store().size('default')) === 0);
    });

    it('app.revoke ends the workflow at once; the worker that takes the kept message then changes nothing (error callbacks run once)', async () => {
      const celeriac = makeApp();
      const [second, errback] = [step(), step('rv.alert', ALERTS)];
      const head = makeMessage({ task: 'rv.add', args: [1, 2], chain: [second], errbacks: [errback] });
      await store().enqueue([head]);
      await store().apply({ id: second.id, task: second.task, state: 'PENDING', attempt: 1, create: true });
      expect(await celeriac.revoke(head.id)).toBe('revoked');
      expect(await state(second.id)).toMatchObject({ state: 'FAILURE' });
      expect(await state(errback.id)).toMatchObject({ state: 'PENDING' });
      expect(await store().size(ALERTS)).toBe(1);
      // A worker of the chain's queue only takes the kept head and runs its follow-ups again,
      // while the error callback still waits: it must not be published a second time.
      const chainWorker = await startWorker(['default']);
      await eventually('the kept head to be taken', async () => (await store().size('default')) === 0 && chainWorker.activeCount === 0);
      expect(await store().size(ALERTS)).toBe(1);
      await startWorker([ALERTS]);
      await eventually('the error callback to run', settledTo(errback.id, ['SUCCESS']));
      await eventually('the alerts queue to empty', async () => (await store().size(ALERTS)) === 0);
      await sleep(200);
      expect(alerts).toBe(1);
      expect(await state(head.id)).toMatchObject({ state: 'REVOKED' });
    });

    it('a waiting message with no workflow, or one revoked without a terminal record, is removed as before', async () => {
      const plain = makeMessage();
      const bare = makeMessage({ chain: [step()] });
      await store().enqueue([plain, bare]);
      expect(await revokeThenDie(plain.id)).toMatchObject({ id: plain.id });
      expect(await store().revoke(bare.id)).toMatchObject({ id: bare.id }); // its record still PENDING
      expect(await store().size('default')).toBe(0);
      expect(await store().isRevoked(plain.id)).toBe(true);
      expect(await store().isRevoked(bare.id)).toBe(true);
    });
  });
}
