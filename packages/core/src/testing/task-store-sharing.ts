import { describe, expect, it } from 'vitest';
import type { Delivery } from '../contracts/broker.js';
import { makeMessage, sleep, until } from './fixtures.js';
import type { TaskStoreSuite } from './task-store-conformance.js';

/**
 * Part of `taskStoreConformance`: what a store shares across reservers and processes —
 * revocations, exactly-once delivery under contention, rate limits, and redelivery after a holder
 * died. Declared inside the suite's `describe`, so `store()` is the fresh store of the running test.
 */
export function taskStoreSharingTests({ options, store, reserve, running }: TaskStoreSuite): void {
  const idsOf = (deliveries: readonly Delivery[]): string[] => deliveries.map((d) => d.message.id);

  describe('revocation', () => {
    it('never delivers a revoked id, waiting or delayed, and tells revoke listeners', async () => {
      const waiting = makeMessage();
      const delayed = makeMessage({ eta: Date.now() + 200 });
      const kept = makeMessage();
      await store().enqueue([waiting, delayed, kept]);
      const heard: string[] = [];
      const unsubscribe = await store().onRevoke((id) => heard.push(id));
      await store().revoke(waiting.id);
      await store().revoke(delayed.id);
      expect(await store().isRevoked(waiting.id)).toBe(true);
      expect(await store().isRevoked(kept.id)).toBe(false);
      await sleep(400);
      expect(idsOf(await reserve())).toEqual([kept.id]);
      expect(await reserve({ waitMs: 200 })).toEqual([]);
      await until(() => heard.length >= 2);
      expect(heard).toEqual([waiting.id, delayed.id]);
      unsubscribe();
      await store().revoke(kept.id);
      await sleep(50);
      expect(heard).toHaveLength(2);
    });

    it('a message enqueued after its id was revoked never runs', async () => {
      const message = makeMessage();
      await store().revoke(message.id);
      await store().enqueue([message]);
      expect(await reserve({ waitMs: 200 })).toEqual([]);
    });

    if (options.createPeer !== undefined) {
      const createPeer = options.createPeer;
      it('revocations reach other processes, listeners and queue alike', async () => {
        const peer = await createPeer(store());
        try {
          const heard: string[] = [];
          await peer.onRevoke((id) => heard.push(id));
          await store().revoke('remote-1');
          await until(() => heard.length > 0);
          expect(heard).toEqual(['remote-1']);
          expect(await peer.isRevoked('remote-1')).toBe(true);
          const message = makeMessage();
          await store().enqueue([message]);
          await peer.revoke(message.id);
          expect(await reserve()).toEqual([]);
        } finally {
          await peer.close();
        }
      });
    }
  });

  describe('contention', () => {
    it('delivers each message exactly once to concurrent reservers, each STARTED once', async () => {
      const messages = Array.from({ length: 200 }, () => makeMessage());
      await store().enqueue(messages);
      const batches = await Promise.all(Array.from({ length: 10 }, () => reserve({ max: 30 })));
      const all = [...batches.flat(), ...(await reserve({ max: 1_000 }))];
      expect(all).toHaveLength(200);
      expect(new Set(idsOf(all)).size).toBe(200);
      expect(all.filter((d) => d.started.applied && d.started.record.seq === 2)).toHaveLength(200);
    });

    it('rate limits a task across reservers without holding back other tasks', async () => {
      const limited = Array.from({ length: 6 }, () => makeMessage({ task: 'test.a' }));
      const free = Array.from({ length: 4 }, () => makeMessage({ task: 'test.b' }));
      await store().enqueue([...limited, ...free]);
      const over = { tasks: ['test.a', 'test.b'], rateLimits: { 'test.a': { limit: 2, intervalMs: 500 } } };
      const first = await Promise.all([reserve(over), reserve(over)]);
      const names = first.flat().map((d) => d.message.task);
      expect(names.filter((t) => t === 'test.a')).toHaveLength(2);
      expect(names.filter((t) => t === 'test.b')).toHaveLength(4);
      expect(await reserve(over)).toEqual([]);
      const started = Date.now();
      const next = await reserve({ ...over, waitMs: 3_000 });
      expect(next.map((d) => d.message.task)).toEqual(['test.a', 'test.a']);
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    });

    if (options.abandon !== undefined) {
      const abandon = options.abandon;
      it('redelivers a delivery whose holder died, counting deliveries, and starts it over', async () => {
        const first = await running();
        expect(first.deliveries).toBe(1);
        await abandon(store());
        const [second] = await reserve({ waitMs: 5_000 });
        expect(second?.message).toEqual(first.message);
        expect(second?.deliveries).toBe(2);
        expect(second?.started).toMatchObject({ applied: true, record: { state: 'STARTED', seq: 3 } });
      });
    }
  });
}
