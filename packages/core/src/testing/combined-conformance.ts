import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Broker, CombinedStore, Delivery, ReserveRequest } from '../contracts/broker.js';
import type { ResultBackend } from '../contracts/result-backend.js';
import { TaskStates } from '../state/states.js';
import { makeMessage } from './fixtures.js';

export interface CombinedConformanceOptions {
  name: string;
  /** A fresh broker and its partner backend on the same, empty storage. */
  createCombined: () => Promise<{ broker: Broker; backend: ResultBackend }>;
  /** Called after each test with the broker, after both stores are closed. */
  destroy?: (broker: Broker) => Promise<void>;
  /** As in `BrokerConformanceOptions`: the holder of the broker's deliveries dies. */
  abandon?: (broker: Broker) => Promise<void>;
}

/** The contract of `Broker.combinedWith` (run by `brokerConformance` when given `createCombined`). */
export function combinedConformance(options: CombinedConformanceOptions): void {
  describe(`CombinedStore conformance: ${options.name}`, () => {
    let broker: Broker;
    let backend: ResultBackend;
    let store: CombinedStore;
    const reserve = (over: Partial<ReserveRequest> = {}): Promise<Delivery[]> => broker.reserve({ queues: ['default'], tasks: ['test.noop'], max: 100, waitMs: 0, ...over });
    /** Enqueues one message and takes its delivery, STARTED unless told otherwise. */
    const running = async (start = true): Promise<Delivery> => {
      const message = makeMessage();
      await store.enqueue([message]);
      const [delivery] = await reserve();
      if (delivery === undefined) throw new Error('the enqueued message was not delivered');
      if (start) await backend.apply({ id: message.id, state: TaskStates.STARTED, attempt: 1 });
      return delivery;
    };
    /** Nothing is left: no delivery now, none after a lease would have run out, nothing waiting. */
    const settled = async (): Promise<void> => {
      expect(await reserve()).toEqual([]);
      if (options.abandon !== undefined) {
        await options.abandon(broker);
        expect(await reserve()).toEqual([]);
      }
      expect(await broker.size('default')).toBe(0);
    };

    beforeEach(async () => {
      ({ broker, backend } = await options.createCombined());
      const combined = broker.combinedWith?.(backend);
      if (combined === undefined) throw new Error('createCombined made stores that do not combine');
      store = combined;
    });
    afterEach(async () => {
      await broker.close();
      await backend.close();
      await options.destroy?.(broker);
    });

    it('enqueue creates PENDING records and publishes the messages', async () => {
      const messages = [makeMessage(), makeMessage()];
      const results = await store.enqueue(messages);
      expect(results.map((r) => r.applied && r.record.state)).toEqual([TaskStates.PENDING, TaskStates.PENDING]);
      expect((await backend.get(messages[0]?.id ?? ''))?.state).toBe(TaskStates.PENDING);
      expect((await reserve()).map((d) => d.message.id)).toEqual(messages.map((m) => m.id));
    });

    it('enqueue is all or nothing when an id is in use', async () => {
      const taken = makeMessage();
      await backend.apply({ id: taken.id, task: taken.task, state: TaskStates.PENDING, attempt: 1 });
      const fresh = makeMessage();
      const results = await store.enqueue([fresh, taken]);
      expect(results.some((r) => r.applied)).toBe(false);
      expect(await backend.get(fresh.id)).toBeNull();
      expect(await broker.size('default')).toBe(0);
      expect(await reserve()).toEqual([]);
    });

    it('settle stores the outcome and acks the delivery', async () => {
      const delivery = await running();
      const outcome = await store.settle(delivery, { id: delivery.message.id, state: TaskStates.SUCCESS, result: 42, attempt: 1 });
      expect(outcome.applied).toBe(true);
      const record = await backend.get(delivery.message.id);
      expect(record?.state).toBe(TaskStates.SUCCESS);
      expect(record?.result).toBe(42);
      await settled();
    });

    it('settle with next stores RETRY and requeues next, delayed by its eta', async () => {
      const delivery = await running();
      const next = { ...delivery.message, attempt: 2, eta: Date.now() + 400 };
      const outcome = await store.settle(delivery, { id: next.id, state: TaskStates.RETRY, attempt: 1, meta: { countdown: 400 } }, next);
      expect(outcome.applied).toBe(true);
      expect((await backend.get(next.id))?.state).toBe(TaskStates.RETRY);
      expect(await reserve()).toEqual([]);
      expect(await broker.size('default')).toBe(1);
      const [again] = await reserve({ waitMs: 3_000 });
      expect(again?.message).toEqual(next);
      expect(again?.deliveries).toBe(1);
      expect(Date.now()).toBeGreaterThanOrEqual(next.eta);
    });

    it('a refused settle still acks, and does not publish next', async () => {
      const delivery = await running(false); // PENDING: neither SUCCESS nor RETRY may follow
      const refused = await store.settle(delivery, { id: delivery.message.id, state: TaskStates.RETRY, attempt: 1 }, { ...delivery.message, attempt: 2 });
      expect(refused.applied).toBe(false);
      expect(!refused.applied && refused.current?.state).toBe(TaskStates.PENDING);
      await settled();
    });

    describe('reserveStarted (when offered)', () => {
      const reserveStarted = (over: Partial<ReserveRequest> = {}) => {
        if (store.reserveStarted === undefined) throw new Error('unreachable: checked by the caller');
        return store.reserveStarted({ queues: ['default'], tasks: ['test.noop'], max: 100, waitMs: 0, ...over });
      };
      const offered = () => store.reserveStarted !== undefined;

      it('stores STARTED for every message taken, in the same step, and tells listeners', async ({ skip }) => {
        if (!offered()) return skip();
        const messages = [makeMessage({ task: 'test.noop' }), makeMessage({ task: 'test.noop', priority: 5 })];
        await store.enqueue(messages);
        const heard: string[] = [];
        const stop = await backend.subscribe(messages[0]?.id ?? '', (r) => heard.push(`${r.state}:${r.seq}`));
        const taken = await reserveStarted();
        stop();
        expect(taken.map((d) => d.message.id)).toEqual([messages[1]?.id, messages[0]?.id]);
        for (const delivery of taken) {
          expect(delivery.started).toMatchObject({ applied: true, record: { id: delivery.message.id, task: 'test.noop', state: TaskStates.STARTED, seq: 2, attempt: 1 } });
          expect(await backend.get(delivery.message.id)).toMatchObject({ state: TaskStates.STARTED, seq: 2, attempt: 1 });
        }
        expect(heard).toContain('STARTED:2');
        for (const delivery of taken) await store.settle(delivery, { id: delivery.message.id, state: TaskStates.SUCCESS, attempt: 1 });
        await settled();
      });

      it('handles any id: quotes, backslashes, control characters, non-ASCII', async ({ skip }) => {
        if (!offered()) return skip();
        const message = makeMessage({ id: 'odd "id" \\ \t ü/✓' });
        await store.enqueue([message]);
        const [delivery] = await reserveStarted();
        expect(delivery?.message.id).toBe(message.id);
        expect(delivery?.started).toMatchObject({ applied: true, record: { id: message.id, state: TaskStates.STARTED } });
        expect(await backend.get(message.id)).toMatchObject({ id: message.id, state: TaskStates.STARTED, seq: 2 });
      });

      it("starts a retry's next run with the next attempt", async ({ skip }) => {
        if (!offered()) return skip();
        await store.enqueue([makeMessage()]);
        const [first] = await reserveStarted();
        if (first === undefined) throw new Error('the enqueued message was not delivered');
        const next = { ...first.message, attempt: 2, eta: Date.now() };
        await store.settle(first, { id: next.id, state: TaskStates.RETRY, attempt: 1 }, next);
        const [second] = await reserveStarted({ waitMs: 2_000 });
        expect(second?.message.attempt).toBe(2);
        expect(second?.started).toMatchObject({ applied: true, record: { state: TaskStates.STARTED, attempt: 2, seq: 4 } });
      });

      it('reports a refused STARTED (record finished) and still delivers, for the worker to settle', async ({ skip }) => {
        if (!offered()) return skip();
        const finished = makeMessage();
        await store.enqueue([finished]);
        await backend.apply({ id: finished.id, state: TaskStates.REVOKED, meta: { reason: 'test' } });
        const [taken] = await reserveStarted();
        expect(taken?.started).toMatchObject({ applied: false, current: { state: TaskStates.REVOKED } });
        expect((await backend.get(finished.id))?.state).toBe(TaskStates.REVOKED);
        if (taken !== undefined) await broker.ack(taken);
      });

      it('starts a message that has no record (expired, forgotten, or from a foreign producer) as a waiting task', async ({ skip }) => {
        if (!offered()) return skip();
        const orphan = makeMessage();
        await broker.publish([orphan]); // a message with no record at all
        const [taken] = await reserveStarted();
        expect(taken?.started).toMatchObject({ applied: true, record: { id: orphan.id, task: orphan.task, state: TaskStates.STARTED, seq: 2 } });
        if (taken !== undefined) await broker.ack(taken);
      });
    });
  });
}
