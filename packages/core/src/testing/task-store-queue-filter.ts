import { describe, expect, it } from 'vitest';
import type { TaskMessage } from '../contracts/message.js';
import type { TaskQuery } from '../contracts/admin.js';
import type { TaskState } from '../state/states.js';
import { makeMessage, sleep } from './fixtures.js';
import type { TaskStoreSuite } from './task-store-conformance.js';

const QUEUES = ['default', 'other'] as const;

/**
 * `listTasks` with a queue (part of `taskStoreConformance`): tasks of two queues in every state,
 * each reached the ways a store records it (a waiting or delayed message, a run, a progress
 * report, a retry, an outcome settled over the implied or the stored record, a revoke, a purge),
 * listed by queue, by queue and task name, and in pages counted after the filter.
 */
export function taskStoreQueueFilterTests({ store, reserve }: TaskStoreSuite): void {
  const taskOf = (queue: string, over: Partial<TaskMessage> = {}) => makeMessage({ queue, ...over });
  const running = async (message: TaskMessage) => {
    await store().enqueue([message]);
    // Waits, for a store whose reserve first drops what a revoke left on the queue (kombu's lists).
    const [delivery] = await reserve({ queues: [message.queue], tasks: [message.task], max: 1, waitMs: 2_000 });
    if (delivery === undefined) throw new Error(`${message.id} was not delivered`);
    return delivery;
  };
  const ids = async (query: Partial<TaskQuery> & { state: TaskState }) => (await store().listTasks({ limit: 100, offset: 0, ...query })).map((r) => r.id);

  /** One task of `queue` in each state; returns the ids expected in each state's list, newest first. */
  const populate = async (queue: string): Promise<Record<string, string[]>> => {
    const purged = taskOf(queue);
    await store().enqueue([purged]);
    await store().purgeQueue(queue);
    const revoked = taskOf(queue);
    await store().enqueue([revoked]);
    await store().apply({ id: revoked.id, state: 'REVOKED', meta: { reason: 'revoked' } });
    await store().revoke(revoked.id);
    const succeeded = await running(taskOf(queue));
    await store().settle(succeeded, { id: succeeded.message.id, state: 'SUCCESS', attempt: 1, task: succeeded.message.task, result: 1 });
    await sleep(3);
    const reported = await running(taskOf(queue, { task: 'test.other' }));
    await store().apply({ id: reported.message.id, state: 'PROGRESS', meta: { current: 1 } }, reported);
    await store().settle(reported, { id: reported.message.id, state: 'SUCCESS', attempt: 1, task: reported.message.task, result: 2 });
    const failed = await running(taskOf(queue));
    await store().settle(failed, { id: failed.message.id, state: 'FAILURE', error: { type: 'Error', message: 'boom' } });
    const retrying = await running(taskOf(queue));
    const next = { ...retrying.message, attempt: 2, eta: Date.now() + 60_000 };
    await store().settle(retrying, { id: next.id, state: 'RETRY', attempt: 1, error: { type: 'Error', message: 'again' } }, next);
    const progressing = await running(taskOf(queue));
    await store().apply({ id: progressing.message.id, state: 'PROGRESS', meta: { current: 1 } }, progressing);
    const started = await running(taskOf(queue));
    const waiting = taskOf(queue);
    const delayed = taskOf(queue, { eta: Date.now() + 60_000 });
    await store().enqueue([waiting, delayed]);
    return {
      PENDING: [waiting.id, delayed.id],
      STARTED: [started.message.id],
      PROGRESS: [progressing.message.id],
      RETRY: [retrying.message.id],
      SUCCESS: [reported.message.id, succeeded.message.id],
      FAILURE: [failed.message.id],
      REVOKED: [revoked.id, purged.id],
    };
  };

  describe('tasks listed by queue', () => {
    it('lists only the tasks of the queue asked for, in every state; an unknown queue lists nothing', async () => {
      const expected = { default: await populate('default'), other: await populate('other') };
      for (const state of Object.keys(expected.default)) {
        for (const queue of QUEUES) {
          const listed = await ids({ state, queue });
          // Newest first where their times differ; the waiting pair and the revoked pair may share a millisecond.
          if (state === 'SUCCESS') expect(listed, `${state} of ${queue}`).toEqual(expected[queue][state]);
          else expect([...listed].sort(), `${state} of ${queue}`).toEqual([...(expected[queue][state] ?? [])].sort());
        }
        expect((await ids({ state })).sort(), `${state} of every queue`).toEqual([...(expected.default[state] ?? []), ...(expected.other[state] ?? [])].sort());
        expect(await ids({ state, queue: 'nowhere' }), `${state} of an unknown queue`).toEqual([]);
      }
    });

    it('filters by queue and task name together', async () => {
      const expected = { default: await populate('default'), other: await populate('other') };
      for (const queue of QUEUES) {
        const [reported, succeeded] = expected[queue].SUCCESS ?? [];
        expect(await ids({ state: 'SUCCESS', queue, task: 'test.other' })).toEqual([reported]);
        expect(await ids({ state: 'SUCCESS', queue, task: 'test.noop' })).toEqual([succeeded]);
        expect(await ids({ state: 'PENDING', queue, task: 'test.other' })).toEqual([]);
      }
      expect(await ids({ state: 'SUCCESS', queue: 'nowhere', task: 'test.noop' })).toEqual([]);
    });

    it('pages count the matching tasks: limit and offset apply after the filter', async () => {
      const done: Record<string, string[]> = { default: [], other: [] };
      // Interleaved, so that a page of one queue is never a range of the unfiltered list.
      for (let i = 0; i < 5; i++) {
        for (const queue of QUEUES) {
          const d = await running(taskOf(queue));
          await store().settle(d, { id: d.message.id, state: 'SUCCESS', attempt: 1, task: d.message.task, result: i });
          done[queue]?.unshift(d.message.id);
          await sleep(2);
        }
      }
      const waiting = { default: [taskOf('default'), taskOf('default')], other: [taskOf('other'), taskOf('other'), taskOf('other')] };
      await store().enqueue([...waiting.other, ...waiting.default]);
      for (const queue of QUEUES) {
        const newest = done[queue] ?? [];
        expect(await ids({ state: 'SUCCESS', queue, limit: 2, offset: 0 })).toEqual(newest.slice(0, 2));
        expect(await ids({ state: 'SUCCESS', queue, limit: 2, offset: 2 })).toEqual(newest.slice(2, 4));
        expect(await ids({ state: 'SUCCESS', queue, limit: 2, offset: 4 })).toEqual(newest.slice(4));
        expect(await ids({ state: 'SUCCESS', queue, limit: 2, offset: 6 })).toEqual([]);
        const pages = [...(await ids({ state: 'PENDING', queue, limit: 2, offset: 0 })), ...(await ids({ state: 'PENDING', queue, limit: 2, offset: 2 }))];
        expect(pages.sort()).toEqual(waiting[queue].map((m) => m.id).sort());
      }
      expect(await ids({ state: 'PENDING', queue: 'default', limit: 2, offset: 2 })).toEqual([]);
    });
  });
}
