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
  });
}
