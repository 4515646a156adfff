import { describe, expect, it } from 'vitest';
import type { StartedDelivery } from '../contracts/broker.js';
import type { TaskStore } from '../contracts/task-store.js';
import { makeMessage, sleep } from './fixtures.js';
import type { TaskStoreSuite } from './task-store-conformance.js';

/**
 * The admin part of `taskStoreConformance` (TaskStore section 9): queues with their counts,
 * pause (checked in the reserve itself) and resume, purge with honest records, tasks counted and
 * listed by state, one task's view with its arguments and timeline, the worker named in STARTED,
 * a failed task retried, and the bounds of the finished lists.
 */
export function taskStoreAdminTests({ options, store, reserve, settled }: TaskStoreSuite): void {
  const only = (d: StartedDelivery | undefined): StartedDelivery => {
    if (d === undefined) throw new Error('expected a delivery');
    return d;
  };

  describe('queues: counts, pause, purge', () => {
    it('lists every queue a message was sent to, with waiting, delayed, running counts and the oldest waiting time', async () => {
      const first = makeMessage({ createdAt: Date.now() - 5_000 });
      await store().enqueue([first, makeMessage(), makeMessage({ eta: Date.now() + 60_000 }), makeMessage({ queue: 'other' })]);
      await reserve({ max: 1 });
      const queues = await store().queues();
      expect(queues.map((q) => q.name)).toEqual(['default', 'other']);
      const byName = new Map(queues.map((q) => [q.name, q]));
      expect(byName.get('default')).toEqual({ name: 'default', waiting: 1, delayed: 1, running: 1, oldestWaitingAt: expect.any(Number), paused: false });
      expect(byName.get('other')).toMatchObject({ waiting: 1, delayed: 0, running: 0, paused: false });
      expect(byName.get('other')?.oldestWaitingAt).toBeGreaterThan(first.createdAt);
    });

    it('a paused queue accepts enqueues but no reserve returns its messages, while other queues are served; resume serves them', async () => {
      const waiting = makeMessage();
      const elsewhere = makeMessage({ queue: 'other' });
      await store().pauseQueue('default', true);
      expect(await store().enqueue([waiting, elsewhere])).toMatchObject([{ applied: true }, { applied: true }]);
      const taken = await reserve({ queues: ['default', 'other'] });
      expect(taken.map((d) => d.message.id)).toEqual([elsewhere.id]);
      expect(await reserve()).toEqual([]);
      expect((await store().queues()).find((q) => q.name === 'default')).toMatchObject({ waiting: 1, paused: true });
      expect(await store().get(waiting.id)).toMatchObject({ state: 'PENDING' });
      await store().pauseQueue('default', false);
      expect((await reserve()).map((d) => d.message.id)).toEqual([waiting.id]);
      expect((await store().queues()).find((q) => q.name === 'default')?.paused).toBe(false);
    });

    it('a reserve already waiting on a paused queue is not given a message published meanwhile, and resuming wakes it', async () => {
      await store().pauseQueue('default', true);
      const sleeping = reserve({ waitMs: 400 });
      await sleep(50);
      const message = makeMessage();
      await store().enqueue([message]);
      expect(await sleeping).toEqual([]);
      const woken = reserve({ waitMs: 5_000 });
      await sleep(50);
      const began = Date.now();
      await store().pauseQueue('default', false);
      expect((await woken).map((d) => d.message.id)).toEqual([message.id]);
      expect(Date.now() - began).toBeLessThan(2_000);
    });

    it('a queue paused before any message is listed as paused', async () => {
      await store().pauseQueue('later', true);
      expect(await store().queues()).toEqual([{ name: 'later', waiting: 0, delayed: 0, running: 0, oldestWaitingAt: null, paused: true }]);
    });

    it('purge removes waiting and delayed messages, stores REVOKED (reason purged) for each, and leaves running tasks alone', async () => {
      const runningOne = makeMessage();
      await store().enqueue([runningOne]);
      const delivery = only((await reserve())[0]);
      const waiting = [makeMessage({ args: [1] }), makeMessage({ args: [2], priority: 5 }), makeMessage({ args: [3], eta: Date.now() + 60_000 })];
      const other = makeMessage({ queue: 'other' });
      await store().enqueue([...waiting, other]);
      const removed = await store().purgeQueue('default');
      expect(removed.map((m) => m.id).sort()).toEqual(waiting.map((m) => m.id).sort());
      expect(await store().purgeQueue('default')).toEqual([]);
      for (const m of waiting) expect(await store().get(m.id)).toMatchObject({ state: 'REVOKED', meta: { reason: 'purged' } });
      expect(await store().get(runningOne.id)).toMatchObject({ state: 'STARTED' });
      expect(await store().size('default')).toBe(0);
      expect(await store().size('other')).toBe(1);
      expect(await reserve()).toEqual([]);
      await store().settle(delivery, { id: runningOne.id, state: 'SUCCESS', result: 'ran' });
      expect(await store().get(runningOne.id)).toMatchObject({ state: 'SUCCESS' });
    });

    it('purge takes at most `max` per call', async () => {
      await store().enqueue([makeMessage(), makeMessage(), makeMessage()]);
      expect(await store().purgeQueue('default', 2)).toHaveLength(2);
      expect(await store().purgeQueue('default', 2)).toHaveLength(1);
      await settled();
    });
  });

  const createWithRetention = options.createWithRetention;

  describe('tasks: the worker, counts, lists, views, retries', () => {
    it('STARTED names the reserving worker, and the outcome keeps it', async () => {
      const message = makeMessage();
      await store().enqueue([message]);
      const delivery = only((await reserve({ worker: 'celeriac@test:1:ab' }))[0]);
      expect(delivery.started).toMatchObject({ applied: true, record: { state: 'STARTED', worker: 'celeriac@test:1:ab' } });
      expect(await store().get(message.id)).toMatchObject({ state: 'STARTED', worker: 'celeriac@test:1:ab' });
      await store().apply({ id: message.id, state: 'PROGRESS', meta: { current: 1 } }, delivery);
      expect(await store().get(message.id)).toMatchObject({ state: 'PROGRESS', worker: 'celeriac@test:1:ab' });
      await store().settle(delivery, { id: message.id, state: 'SUCCESS', attempt: 1, task: message.task, result: 7 });
      expect(await store().get(message.id)).toMatchObject({ state: 'SUCCESS', worker: 'celeriac@test:1:ab', result: 7 });
    });

    it('counts and lists tasks by state, newest first, by task name, in pages', async () => {
      const done: string[] = [];
      for (let i = 0; i < 3; i++) {
        const m = makeMessage({ task: i === 1 ? 'test.other' : 'test.noop' });
        await store().enqueue([m]);
        const d = only((await reserve({ tasks: ['test.noop', 'test.other'] }))[0]);
        await store().settle(d, { id: m.id, state: 'SUCCESS', attempt: 1, task: m.task, result: i });
        done.push(m.id);
        await sleep(3);
      }
      const failed = makeMessage();
      await store().enqueue([failed]);
      const d = only((await reserve())[0]);
      await store().settle(d, { id: failed.id, state: 'FAILURE', error: { type: 'Error', message: 'boom' } });
      const started = makeMessage();
      const pending = makeMessage();
      await store().enqueue([started]);
      await reserve();
      await store().enqueue([pending]);
      const counts = await store().taskCounts();
      expect(counts).toMatchObject({ PENDING: 1, STARTED: 1, SUCCESS: 3, FAILURE: 1, REVOKED: 0, RETRY: 0 });
      const ids = async (query: Parameters<TaskStore['listTasks']>[0]) => (await store().listTasks(query)).map((r) => r.id);
      expect(await ids({ state: 'SUCCESS', limit: 10, offset: 0 })).toEqual([...done].reverse());
      expect(await ids({ state: 'SUCCESS', limit: 1, offset: 1 })).toEqual([done[1]]);
      expect(await ids({ state: 'SUCCESS', task: 'test.noop', limit: 10, offset: 0 })).toEqual([done[2], done[0]]);
      expect(await ids({ state: 'SUCCESS', task: 'test.noop', limit: 10, offset: 1 })).toEqual([done[0]]);
      expect(await ids({ state: 'FAILURE', limit: 10, offset: 0 })).toEqual([failed.id]);
      expect(await ids({ state: 'STARTED', limit: 10, offset: 0 })).toEqual([started.id]);
      expect(await ids({ state: 'PENDING', limit: 10, offset: 0 })).toEqual([pending.id]);
      expect(await ids({ state: 'REVOKED', limit: 10, offset: 0 })).toEqual([]);
      const [record] = await store().listTasks({ state: 'FAILURE', limit: 1, offset: 0 });
      expect(record).toMatchObject({ id: failed.id, task: 'test.noop', state: 'FAILURE', error: { message: 'boom' } });
    });

    it('views a task: arguments, queue, result, and its timeline with the worker of each run', async () => {
      const message = makeMessage({ args: ['a', { b: 2 }], queue: 'default' });
      expect(await store().viewTask(message.id)).toBeNull();
      await store().enqueue([message]);
      expect(await store().viewTask(message.id)).toMatchObject({ id: message.id, state: 'PENDING', args: ['a', { b: 2 }], queue: 'default', timeline: [{ state: 'PENDING', attempt: 1 }] });
      const delivery = only((await reserve({ worker: 'w-1' }))[0]);
      await store().settle(delivery, { id: message.id, state: 'SUCCESS', attempt: 1, task: message.task, result: { ok: true } });
      const view = await store().viewTask(message.id);
      expect(view).toMatchObject({ id: message.id, state: 'SUCCESS', result: { ok: true }, args: ['a', { b: 2 }], queue: 'default', attempt: 1, worker: 'w-1' });
      expect(view?.timeline.map((t) => [t.state, t.attempt, t.worker])).toEqual([
        ['PENDING', 1, undefined],
        ['STARTED', 1, 'w-1'],
        ['SUCCESS', 1, 'w-1'],
      ]);
      const times = view?.timeline.map((t) => t.at) ?? [];
      expect([...times].sort((a, b) => a - b)).toEqual(times);
    });

    it('retryTask runs a FAILURE task again as a new attempt with its arguments; anything else is refused', async () => {
      const message = makeMessage({ args: ['again'] });
      await store().enqueue([message]);
      const first = only((await reserve({ worker: 'w-1' }))[0]);
      await store().settle(first, { id: message.id, state: 'FAILURE', error: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x' } });
      expect(await store().viewTask(message.id)).toMatchObject({ state: 'FAILURE', error: { stack: expect.stringContaining('boom') }, args: ['again'] });
      expect(await store().retryTask(message.id)).toBe(true);
      expect(await store().get(message.id)).toMatchObject({ state: 'PENDING', seq: 4, attempt: 2 });
      expect(await store().retryTask(message.id)).toBe(false);
      const again = only((await reserve({ worker: 'w-2' }))[0]);
      expect(again.message).toMatchObject({ id: message.id, args: ['again'], attempt: 2 });
      expect(again.started).toMatchObject({ applied: true, record: { state: 'STARTED', attempt: 2, worker: 'w-2' } });
      await store().settle(again, { id: message.id, state: 'SUCCESS', attempt: 2, task: message.task, result: 'ran' });
      const view = await store().viewTask(message.id);
      expect(view?.timeline.map((t) => [t.state, t.attempt, t.worker])).toEqual([
        ['PENDING', 1, undefined],
        ['STARTED', 1, 'w-1'],
        ['FAILURE', 1, 'w-1'],
        ['PENDING', 2, undefined],
        ['STARTED', 2, 'w-2'],
        ['SUCCESS', 2, 'w-2'],
      ]);
      expect(await store().retryTask(message.id)).toBe(false);
      expect(await store().retryTask('never-enqueued')).toBe(false);
      await settled();
    });
  });

  describe('retention of the finished lists', () => {
    const finish = async (s: TaskStore, n: number, state: 'SUCCESS' | 'FAILURE'): Promise<string[]> => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const m = makeMessage();
        await s.enqueue([m]);
        const [d] = await s.reserve({ queues: ['default'], tasks: ['test.noop'], max: 1, waitMs: 0 });
        if (d === undefined) throw new Error('not delivered');
        const outcome = state === 'SUCCESS' ? { result: i } : { error: { type: 'Error', message: `boom ${i}` } };
        await s.settle(d, { id: m.id, state, attempt: 1, task: m.task, ...outcome });
        ids.push(m.id);
        await sleep(2);
      }
      return ids;
    };

    it('keeps at most taskListLimit per finished state, newest; the records themselves stay', async () => {
      const s = await createWithRetention({ taskListLimit: 3, taskListTtl: 60_000 });
      try {
        const ids = await finish(s, 5, 'SUCCESS');
        await finish(s, 2, 'FAILURE');
        expect((await s.listTasks({ state: 'SUCCESS', limit: 10, offset: 0 })).map((r) => r.id)).toEqual(ids.slice(2).reverse());
        expect(await s.taskCounts()).toMatchObject({ SUCCESS: 3, FAILURE: 2 });
        expect(await s.get(ids[0] as string)).toMatchObject({ state: 'SUCCESS' });
        await finish(s, 10, 'SUCCESS');
        expect(await s.taskCounts()).toMatchObject({ SUCCESS: 3, FAILURE: 2 });
      } finally {
        await s.close();
        await options.destroy?.(s);
      }
    });

    it('drops finished tasks older than taskListTtl from the lists', async () => {
      const s = await createWithRetention({ taskListLimit: 100, taskListTtl: 300 });
      try {
        await finish(s, 2, 'SUCCESS');
        expect((await s.taskCounts()).SUCCESS).toBe(2);
        await sleep(400);
        const fresh = await finish(s, 1, 'SUCCESS');
        expect((await s.listTasks({ state: 'SUCCESS', limit: 10, offset: 0 })).map((r) => r.id)).toEqual(fresh);
        expect((await s.taskCounts()).SUCCESS).toBe(1);
      } finally {
        await s.close();
        await options.destroy?.(s);
      }
    });
  });
}
