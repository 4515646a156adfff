import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../contracts/record.js';
import { makeMessage } from './fixtures.js';
import type { TaskStoreSuite } from './task-store-conformance.js';

/**
 * The third part of `taskStoreConformance`: what workflows and the dead-letter queue need of a
 * store — requeueing a dead letter so the task really runs again, paging and purging the queue,
 * foreign inbox messages that reuse an id in use, a chord's completion counted and its callback
 * published once, and a revoke that hands back the waiting message it removed.
 */
export function taskStoreWorkflowTests({ options, store, reserve, running, settled }: TaskStoreSuite): void {
  describe('dead letters: requeue, pages, purge', () => {
    it('requeueing a letter whose record is FAILURE reopens it: the task starts again as attempt 2, seq going on', async () => {
      const delivery = await running();
      const id = delivery.message.id;
      await store().apply({ id, state: 'FAILURE', error: { type: 'DeliveryLimitError', message: 'too many deliveries' } });
      await store().deadLetter(delivery, 'delivered too often');
      const seen: TaskRecord[] = [];
      const unsubscribe = await store().subscribe(id, (r) => seen.push(r));
      expect(await store().retryDeadLetter(id)).toBe(true);
      expect(await store().get(id)).toMatchObject({ state: 'PENDING', seq: 4, attempt: 2 });
      const [again] = await reserve();
      expect(again?.message).toMatchObject({ id, attempt: 2, args: delivery.message.args });
      expect(again?.started).toMatchObject({ applied: true, record: { state: 'STARTED', seq: 5, attempt: 2 } });
      await store().settle(again as NonNullable<typeof again>, { id, state: 'SUCCESS', attempt: 2, result: 'ran' });
      expect(await store().get(id)).toMatchObject({ state: 'SUCCESS', seq: 6, result: 'ran' });
      for (let i = 0; i < 50 && seen.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
      expect(seen.map((r) => r.state)).toEqual(['PENDING', 'STARTED', 'SUCCESS']);
      unsubscribe();
      await settled();
    });

    it('lists dead letters in pages, and purges some or all', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const delivery = await running();
        ids.push(delivery.message.id);
        await store().deadLetter(delivery, `dead ${i}`);
        await new Promise((r) => setTimeout(r, 3)); // letters are ordered by the ms they died in
      }
      expect((await store().deadLetters(2)).map((d) => d.id)).toEqual(ids.slice(0, 2));
      expect((await store().deadLetters(2, 2)).map((d) => d.id)).toEqual(ids.slice(2));
      expect(await store().deadLetters(5, 3)).toEqual([]);
      expect(await store().purgeDeadLetters([ids[1] as string, 'no-such-id'])).toBe(1);
      expect((await store().deadLetters()).map((d) => d.reason)).toEqual(['dead 0', 'dead 2']);
      expect(await store().purgeDeadLetters()).toBe(2);
      expect(await store().deadLetters()).toEqual([]);
      expect(await store().retryDeadLetter(ids[0] as string)).toBe(false);
    });

    if (options.injectRaw !== undefined) {
      const injectRaw = options.injectRaw;
      it('an inbox message reusing the id of a waiting task is dead-lettered, and the task runs with its own arguments', async () => {
        const original = makeMessage({ args: ['original'] });
        await store().enqueue([original]);
        await injectRaw(store(), 'default', JSON.stringify({ ...original, args: ['hijacked'] }));
        await injectRaw(store(), 'default', JSON.stringify(makeMessage({ id: 'not a valid id!' })));
        const first = await reserve({ waitMs: 1_000 });
        const deliveries = [...first, ...(await reserve({ waitMs: 200 }))];
        expect(deliveries.map((d) => d.message.args)).toEqual([['original']]);
        const dead = await store().deadLetters();
        // Both died at once (maybe the same ms): in either order.
        expect(dead.map((d) => d.reason).sort()).toEqual([expect.stringMatching(/^field "id" must match/), expect.stringMatching(/already in use/)]);
        expect(dead.map((d) => d.id)).not.toContain(original.id);
        expect(await store().get(original.id)).toMatchObject({ state: 'STARTED', seq: 2 });
      });
    }
  });

  describe('workflows', () => {
    it('counts a group complete once every member finished, and says so to every later report', async () => {
      const group = randomUUID();
      expect(await store().completeGroupMember(group, 'a', 3)).toBe(false);
      expect(await store().completeGroupMember(group, 'a', 3)).toBe(false); // duplicate report
      const last = await Promise.all([store().completeGroupMember(group, 'b', 3), store().completeGroupMember(group, 'c', 3)]);
      expect(last.filter(Boolean).length).toBeGreaterThanOrEqual(1);
      expect(await store().completeGroupMember(group, 'b', 3)).toBe(true); // a redelivered member
      expect(await store().completeGroupMember(randomUUID(), 'only', 1)).toBe(true);
    });

    it('publishOnce publishes for exactly one of many racing calls', async () => {
      const key = `once-${randomUUID()}`;
      const message = makeMessage();
      await store().apply({ id: message.id, task: message.task, state: 'PENDING', attempt: 1, create: true });
      const racers = await Promise.all(Array.from({ length: 8 }, () => store().publishOnce(key, [message])));
      expect(racers.filter(Boolean)).toHaveLength(1);
      expect(await store().publishOnce(key, [message])).toBe(false);
      expect(await store().size('default')).toBe(1);
      const [delivery, ...more] = await reserve();
      expect(more).toEqual([]);
      expect(delivery?.message.id).toBe(message.id);
    });

    it('revoke resolves with the waiting or delayed message it removed, and null when there was none', async () => {
      const waiting = makeMessage({ chain: [{ id: randomUUID(), task: 'test.noop', args: [], queue: 'default', priority: 0, passResult: true }] });
      const delayed = makeMessage({ eta: Date.now() + 60_000 });
      await store().enqueue([waiting, delayed]);
      expect(await store().revoke(waiting.id)).toEqual(waiting);
      expect(await store().revoke(delayed.id)).toMatchObject({ id: delayed.id, eta: delayed.eta });
      expect(await store().revoke(waiting.id)).toBeNull();
      expect(await store().revoke('never-enqueued')).toBeNull();
      expect(await store().size('default')).toBe(0);
    });
  });
}
