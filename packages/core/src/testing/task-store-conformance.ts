import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Delivery, ReserveRequest, StartedDelivery } from '../contracts/broker.js';
import type { TaskMessage } from '../contracts/message.js';
import type { TaskStore } from '../contracts/task-store.js';
import { makeMessage, sleep, until } from './fixtures.js';
import { partitionKeyId } from '../adapters/partition-key.js';
import { taskStoreFencingTests } from './task-store-fencing.js';
import { taskStoreRecordTests } from './task-store-records.js';
import { taskStoreSharingTests } from './task-store-sharing.js';
import { taskStoreWorkflowTests } from './task-store-workflows.js';
import { taskStoreRevokeTests } from './task-store-revoke.js';
import { taskStoreEventTests } from './task-store-events.js';
import { taskStoreAdminTests } from './task-store-admin.js';
import { taskStoreQueueFilterTests } from './task-store-queue-filter.js';
import type { TaskListRetention } from '../contracts/admin.js';

export interface TaskStoreConformanceOptions {
  /** Shown in test names. */
  name: string;
  /** A fresh, empty store for each test (e.g. a new key prefix). */
  create: () => Promise<TaskStore>;
  /** Called after each test with the store it made, after `close()`. */
  destroy?: (store: TaskStore) => Promise<void>;
  /** Puts a raw string on a queue as a foreign producer could (bypassing `enqueue`); omit if the store has no such inbox. */
  injectRaw?: (store: TaskStore, queue: string, raw: string) => Promise<void>;
  /**
   * The holder of the store's deliveries dies: make the store forget its in-flight deliveries and
   * resolve once they may be delivered again. Omit for stores that live and die with their process.
   */
  abandon?: (store: TaskStore) => Promise<void>;
  /** A second store on the same storage (another process), for revocations and events across processes. */
  createPeer?: (store: TaskStore) => Promise<TaskStore>;
  /** A fresh store whose task lists keep at most `taskListLimit` per finished state, for `taskListTtl` ms (closed and destroyed by the test). */
  createWithRetention: (retention: Required<TaskListRetention>) => Promise<TaskStore>;
}

/** What the other parts of the suite (`task-store-sharing.ts`, `task-store-records.ts`) need of the first. */
export interface TaskStoreSuite {
  options: TaskStoreConformanceOptions;
  /** The running test's store. */
  store: () => TaskStore;
  /** Reserves from `default` for `test.noop`, at most 100, without waiting, unless told otherwise. */
  reserve: (over?: Partial<ReserveRequest>) => Promise<StartedDelivery[]>;
  /** Enqueues one message and takes its delivery (STARTED by `reserve`). */
  running: (over?: Partial<TaskMessage>) => Promise<StartedDelivery>;
  /** Asserts nothing is left: no delivery now, none once a lease would have run out, nothing waiting. */
  settled: () => Promise<void>;
}

/**
 * A message whose id carries the partition key hash of the other messages of the running test:
 * the order of reserves (priority, then FIFO) is promised among such tasks, all of one partition
 * on a store that spreads a queue over partitions (see TaskStore.reserve).
 */
function orderedMessage(overrides: Partial<TaskMessage> = {}): TaskMessage {
  return makeMessage({ id: partitionKeyId(expect.getState().currentTestName ?? 'ordered', randomUUID()), ...overrides });
}

/**
 * The contract every `TaskStore` must pass (socket.io's adapter-tests pattern): call it from a test
 * file of the adapter package. Producing and reserving are checked here, revocation and
 * contention in `task-store-sharing.ts`, settling, dead letters and records in
 * `task-store-records.ts`, all under one suite name.
 */
export function taskStoreConformance(options: TaskStoreConformanceOptions): void {
  describe(`TaskStore conformance: ${options.name}`, () => {
    let store: TaskStore;
    const req = (over: Partial<ReserveRequest> = {}): ReserveRequest => ({ queues: ['default'], tasks: ['test.noop'], max: 100, waitMs: 0, ...over });
    const reserve = (over: Partial<ReserveRequest> = {}): Promise<StartedDelivery[]> => store.reserve(req(over));
    const idsOf = (deliveries: readonly Delivery[]): string[] => deliveries.map((d) => d.message.id);
    /** Enqueues one message and takes its delivery (STARTED by `reserve`). */
    const running = async (over: Partial<TaskMessage> = {}): Promise<StartedDelivery> => {
      await store.enqueue([makeMessage(over)]);
      const [delivery] = await reserve();
      if (delivery === undefined) throw new Error('the enqueued message was not delivered');
      return delivery;
    };
    /** Nothing is left: no delivery now, none once a lease would have run out, nothing waiting. */
    const settled = async (): Promise<void> => {
      expect(await reserve()).toEqual([]);
      if (options.abandon !== undefined) {
        await options.abandon(store);
        expect(await reserve()).toEqual([]);
      }
      expect(await store.size('default')).toBe(0);
    };

    beforeEach(async () => {
      store = await options.create();
    });
    afterEach(async () => {
      await store.close();
      await options.destroy?.(store);
    });

    describe('producing', () => {
      it('enqueue creates PENDING records at seq 1, and the messages are reservable', async () => {
        const messages = [orderedMessage({ args: [1, 'two', { three: [3] }] }), orderedMessage()];
        const results = await store.enqueue(messages);
        expect(results).toMatchObject(messages.map((m) => ({ applied: true, record: { id: m.id, task: 'test.noop', state: 'PENDING', seq: 1, attempt: 1 } })));
        for (const m of messages) expect(await store.get(m.id)).toMatchObject({ id: m.id, task: 'test.noop', state: 'PENDING', seq: 1 });
        expect(await store.size('default')).toBe(2);
        const deliveries = await reserve();
        expect(deliveries.map((d) => d.message)).toEqual(messages);
        expect(deliveries.map((d) => d.deliveries)).toEqual([1, 1]);
        expect(await reserve()).toEqual([]);
      });

      it('enqueue with freshIds reads the same: PENDING records, reservable', async () => {
        const messages = [orderedMessage(), orderedMessage()];
        const results = await store.enqueue(messages, { freshIds: true });
        expect(results).toMatchObject(messages.map((m) => ({ applied: true, record: { id: m.id, state: 'PENDING', seq: 1 } })));
        expect(await store.get(messages[1]?.id ?? '')).toMatchObject({ state: 'PENDING', seq: 1 });
        const deliveries = await reserve();
        expect(idsOf(deliveries)).toEqual(messages.map((m) => m.id));
        expect(deliveries.map((d) => d.started)).toMatchObject(messages.map(() => ({ applied: true, record: { state: 'STARTED', seq: 2 } })));
      });

      it('enqueue is all or nothing when an id is in use: every entry refused, nothing created or reservable', async () => {
        const taken = makeMessage();
        await store.apply({ id: taken.id, task: taken.task, state: 'PENDING', attempt: 1, create: true });
        const fresh = makeMessage();
        const results = await store.enqueue([fresh, taken]);
        expect(results).toEqual([{ applied: false, current: null }, { applied: false, current: expect.objectContaining({ id: taken.id, state: 'PENDING', seq: 1 }) }]);
        expect(await store.get(fresh.id)).toBeNull();
        expect(await store.get(taken.id)).toMatchObject({ state: 'PENDING', seq: 1 });
        expect(await store.size('default')).toBe(0);
        expect(await reserve()).toEqual([]);
      });

      it('enqueue is all or nothing when an id appears twice in one call', async () => {
        const other = makeMessage();
        const twice = makeMessage();
        const results = await store.enqueue([other, twice, { ...twice, args: ['second'] }]);
        expect(results).toHaveLength(3);
        expect(results.map((r) => r.applied)).toEqual([false, false, false]);
        expect(await store.get(other.id)).toBeNull();
        expect(await store.get(twice.id)).toBeNull();
        expect(await store.size('default')).toBe(0);
        expect(await reserve()).toEqual([]);
      });

      it('publish makes messages whose PENDING records exist reservable (workflow steps)', async () => {
        const step = makeMessage();
        await store.apply({ id: step.id, task: step.task, state: 'PENDING', attempt: 1, create: true });
        await store.publish([step]);
        expect(await store.get(step.id)).toMatchObject({ state: 'PENDING', seq: 1 });
        const [delivery, ...rest] = await reserve();
        expect(rest).toEqual([]);
        expect(delivery?.message).toEqual(step);
        expect(delivery?.started).toMatchObject({ applied: true, record: { id: step.id, state: 'STARTED', seq: 2 } });
      });
    });

    describe('reserving', () => {
      it('stores STARTED as it reserves: seq 2, attempt from the message, listeners told', async () => {
        const message = makeMessage();
        await store.enqueue([message]);
        const heard: string[] = [];
        const unsubscribe = await store.subscribe(message.id, (r) => heard.push(`${r.state}:${r.seq}`));
        const [delivery] = await reserve();
        expect(delivery?.deliveries).toBe(1);
        expect(delivery?.started).toEqual({ applied: true, record: expect.objectContaining({ id: message.id, task: 'test.noop', state: 'STARTED', seq: 2, attempt: 1 }) });
        expect(await store.get(message.id)).toMatchObject({ state: 'STARTED', seq: 2, attempt: 1 });
        await until(() => heard.length >= 1);
        expect(heard).toEqual(['STARTED:2']);
        unsubscribe();
      });

      it('serves only the named queues and tasks', async () => {
        const a = makeMessage({ task: 'test.a' });
        const b = makeMessage({ task: 'test.b' });
        const other = makeMessage({ task: 'test.a', queue: 'other' });
        await store.enqueue([a, b, other]);
        expect(idsOf(await reserve({ tasks: ['test.a'] }))).toEqual([a.id]);
        expect(idsOf(await reserve({ tasks: ['test.b'] }))).toEqual([b.id]);
        expect(await store.get(other.id)).toMatchObject({ state: 'PENDING' });
        expect(idsOf(await reserve({ tasks: ['test.a'], queues: ['other'] }))).toEqual([other.id]);
      });

      it('orders by priority (higher first), then first in first out, across tasks', async () => {
        const low1 = orderedMessage({ task: 'test.a', priority: 0 });
        const high = orderedMessage({ task: 'test.b', priority: 9 });
        const low2 = orderedMessage({ task: 'test.b', priority: 0 });
        const mid = orderedMessage({ task: 'test.a', priority: 5 });
        await store.enqueue([low1, high]);
        await store.enqueue([low2, mid]);
        expect(idsOf(await reserve({ tasks: ['test.a', 'test.b'] }))).toEqual([high.id, mid.id, low1.id, low2.id]);
      });

      it('returns at most `max` messages', async () => {
        await store.enqueue(Array.from({ length: 5 }, () => makeMessage()));
        expect(await reserve({ max: 2 })).toHaveLength(2);
        expect(await reserve({ max: 10 })).toHaveLength(3);
      });

      it('wakes a waiting reserve as soon as a message is enqueued', async () => {
        const started = Date.now();
        const waiting = reserve({ waitMs: 5_000 });
        await sleep(50);
        const message = makeMessage();
        await store.enqueue([message]);
        expect(idsOf(await waiting)).toEqual([message.id]);
        expect(Date.now() - started).toBeLessThan(2_000);
      });

      it('returns [] after waitMs when nothing comes, and at once when aborted', async () => {
        const started = Date.now();
        expect(await reserve({ waitMs: 200 })).toEqual([]);
        expect(Date.now() - started).toBeGreaterThanOrEqual(150);
        const controller = new AbortController();
        const aborted = reserve({ waitMs: 10_000, signal: controller.signal });
        const abortAt = Date.now();
        controller.abort();
        expect(await aborted).toEqual([]);
        expect(Date.now() - abortAt).toBeLessThan(2_000);
      });

      it('holds a delayed message until its eta, then delivers it without a new enqueue', async () => {
        const message = makeMessage({ eta: Date.now() + 400 });
        await store.enqueue([message]);
        expect(await reserve()).toEqual([]);
        expect(await store.size('default')).toBe(1);
        expect(await store.get(message.id)).toMatchObject({ state: 'PENDING', seq: 1 });
        const deliveries = await reserve({ waitMs: 3_000 });
        expect(idsOf(deliveries)).toEqual([message.id]);
        expect(Date.now()).toBeGreaterThanOrEqual(message.eta as number);
      });

      it('reports a refused STARTED (record REVOKED) and still returns the delivery to settle', async () => {
        const message = makeMessage();
        await store.enqueue([message]);
        await store.apply({ id: message.id, state: 'REVOKED', meta: { reason: 'test' } });
        const [taken] = await reserve();
        expect(taken?.message.id).toBe(message.id);
        expect(taken?.started).toMatchObject({ applied: false, current: { state: 'REVOKED', seq: 2 } });
        expect(await store.get(message.id)).toMatchObject({ state: 'REVOKED', seq: 2 });
        if (taken !== undefined) await store.ack(taken);
        await settled();
      });

      it('starts a message that has no record (expired, forgotten, foreign) as a waiting task', async () => {
        const orphan = makeMessage();
        await store.publish([orphan]);
        const [taken] = await reserve();
        expect(taken?.started).toMatchObject({ applied: true, record: { id: orphan.id, task: orphan.task, state: 'STARTED', seq: 2 } });
        expect(await store.get(orphan.id)).toMatchObject({ state: 'STARTED', seq: 2 });
      });

      it('handles any id: quotes, backslashes, control characters, non-ASCII', async () => {
        const message = makeMessage({ id: 'odd "id" \'x\' \\ \t\n ü/✓ 🎉 {a:1}' });
        expect(await store.enqueue([message])).toMatchObject([{ applied: true, record: { id: message.id, state: 'PENDING' } }]);
        const [delivery] = await reserve();
        expect(delivery?.message).toEqual(message);
        expect(delivery?.started).toMatchObject({ applied: true, record: { id: message.id, state: 'STARTED', seq: 2 } });
        if (delivery === undefined) return;
        await store.settle(delivery, { id: message.id, state: 'SUCCESS', result: 'ok' });
        expect(await store.get(message.id)).toMatchObject({ id: message.id, state: 'SUCCESS', seq: 3, result: 'ok' });
        await settled();
        await store.revoke(message.id);
        expect(await store.isRevoked(message.id)).toBe(true);
      });
    });

    taskStoreSharingTests({ options, store: () => store, reserve, running, settled });
    taskStoreRecordTests({ options, store: () => store, reserve, running, settled });
    taskStoreFencingTests({ options, store: () => store, reserve, running, settled });
    taskStoreWorkflowTests({ options, store: () => store, reserve, running, settled });
    taskStoreRevokeTests({ options, store: () => store, reserve, running, settled });
    taskStoreEventTests({ options, store: () => store, reserve, running, settled });
    taskStoreAdminTests({ options, store: () => store, reserve, running, settled });
    taskStoreQueueFilterTests({ options, store: () => store, reserve, running, settled });
  });
}
