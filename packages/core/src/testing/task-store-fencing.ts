import { describe, expect, it } from 'vitest';
import type { StartedDelivery } from '../contracts/broker.js';
import type { TaskStoreSuite } from './task-store-conformance.js';

/**
 * Part of `taskStoreConformance`: fencing. Every write made for a delivery is refused, with
 * `leaseLost: true`, once the delivery no longer holds its lease: it was settled (a hand-back at
 * shutdown included), its lease expired, or another delivery took the message. The state
 * machine's own refusals never say `leaseLost`. Declared inside the suite's `describe`.
 */
export function taskStoreFencingTests({ options, store, reserve, running }: TaskStoreSuite): void {
  describe('fencing', () => {
    it('the holder writes with its delivery: progress, then the outcome', async () => {
      const delivery = await running();
      const id = delivery.message.id;
      expect(await store().apply({ id, state: 'PROGRESS', meta: { current: 1 } }, delivery)).toMatchObject({ applied: true, record: { seq: 3 } });
      const outcome = await store().settle(delivery, { id, state: 'SUCCESS', attempt: 1, result: 'done' });
      expect(outcome).toMatchObject({ applied: true, record: { state: 'SUCCESS', seq: 4 } });
    });

    it("the state machine's refusals do not say leaseLost", async () => {
      const delivery = await running();
      const id = delivery.message.id;
      await store().apply({ id, state: 'REVOKED' });
      const refused = await store().apply({ id, state: 'PROGRESS' }, delivery);
      expect(refused).toMatchObject({ applied: false, current: { state: 'REVOKED' } });
      expect(refused.applied === false && refused.leaseLost).toBeUndefined();
      const settled = await store().settle(delivery, { id, state: 'SUCCESS', attempt: 1 });
      expect(settled.applied === false && settled.leaseLost).toBeUndefined();
    });

    it("a handed-back run's outcome and progress are refused with leaseLost; the next delivery's win", async () => {
      const delivery = await running();
      const id = delivery.message.id;
      await store().settle(delivery, { id, state: 'PENDING', meta: { reason: 'shutdown' } }, delivery.message);
      const late = await store().settle(delivery, { id, state: 'SUCCESS', attempt: 1, result: 'abandoned run' });
      expect(late).toMatchObject({ applied: false, leaseLost: true, current: { state: 'PENDING', seq: 3 } });
      expect(await store().apply({ id, state: 'PROGRESS' }, delivery)).toMatchObject({ applied: false, leaseLost: true });
      const [again] = await reserve();
      expect(again?.started).toMatchObject({ applied: true, record: { state: 'STARTED', seq: 4 } });
      expect(await store().settle(delivery, { id, state: 'FAILURE', attempt: 1 })).toMatchObject({ applied: false, leaseLost: true });
      await store().deadLetter(delivery, 'late');
      expect(await store().deadLetters()).toEqual([]);
      expect(await store().settle(again as StartedDelivery, { id, state: 'SUCCESS', attempt: 1, result: 'second run' })).toMatchObject({ applied: true, record: { seq: 5 } });
      expect(await store().get(id)).toMatchObject({ state: 'SUCCESS', result: 'second run' });
    });

    it('a settled delivery settles once: a second settle is refused with leaseLost', async () => {
      const delivery = await running();
      const id = delivery.message.id;
      await store().settle(delivery, { id, state: 'RETRY', attempt: 1 }, { ...delivery.message, attempt: 2 });
      expect(await store().settle(delivery, { id, state: 'FAILURE', attempt: 1 })).toMatchObject({ applied: false, leaseLost: true, current: { state: 'RETRY' } });
    });

    if (options.abandon !== undefined) {
      const abandon = options.abandon;
      it("a stale holder's writes are refused once its lease expired, and once another delivery took the task", async () => {
        const stale = await running();
        const id = stale.message.id;
        await abandon(store());
        // Expired, not yet taken again.
        expect(await store().apply({ id, state: 'PROGRESS' }, stale)).toMatchObject({ applied: false, leaseLost: true });
        const [taken] = await reserve({ waitMs: 5_000 });
        expect(taken?.started).toMatchObject({ applied: true, record: { state: 'STARTED', seq: 3 } });
        expect(await store().apply({ id, state: 'PROGRESS' }, stale)).toMatchObject({ applied: false, leaseLost: true });
        const late = await store().settle(stale, { id, state: 'SUCCESS', attempt: 1, result: 'stale' });
        expect(late).toMatchObject({ applied: false, leaseLost: true, current: { state: 'STARTED', seq: 3 } });
        await store().ack(stale);
        await store().deadLetter(stale, 'stale');
        expect(await store().deadLetters()).toEqual([]);
        const outcome = await store().settle(taken as StartedDelivery, { id, state: 'SUCCESS', attempt: 1, result: 'fresh' });
        expect(outcome).toMatchObject({ applied: true, record: { state: 'SUCCESS', seq: 4, result: 'fresh' } });
        expect(await store().get(id)).toMatchObject({ state: 'SUCCESS', seq: 4, result: 'fresh' });
      });

      it("an expired holder's settle stores nothing and leaves the message to be delivered again", async () => {
        const stale = await running();
        const id = stale.message.id;
        await abandon(store());
        expect(await store().settle(stale, { id, state: 'SUCCESS', attempt: 1 })).toMatchObject({ applied: false, leaseLost: true });
        const [again] = await reserve({ waitMs: 5_000 });
        expect(again?.message.id).toBe(id);
        expect(again?.deliveries).toBe(2);
      });
    }
  });
}
