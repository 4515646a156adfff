import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TaskRecord } from '../contracts/record.js';
import { makeMessage, sleep, until } from './fixtures.js';
import type { TaskStoreSuite } from './task-store-conformance.js';

/**
 * The second half of `taskStoreConformance`: settling deliveries, dead letters, and records
 * (what `backendConformance` checks of a result backend, through the `TaskStore` API). Declared
 * inside the suite's `describe`, so `store()` is the fresh store of the running test.
 */
export function taskStoreRecordTests({ options, store, reserve, running, settled }: TaskStoreSuite): void {
  describe('settling', () => {
    it('settle SUCCESS stores the result and acks: nothing is left to deliver', async () => {
      const delivery = await running();
      const id = delivery.message.id;
      const outcome = await store().settle(delivery, { id, state: 'SUCCESS', result: { answer: 42 }, attempt: 1 });
      expect(outcome).toMatchObject({ applied: true, record: { id, state: 'SUCCESS', seq: 3, result: { answer: 42 } } });
      expect(await store().get(id)).toMatchObject({ state: 'SUCCESS', seq: 3, result: { answer: 42 } });
      await settled();
    });

    it('settle RETRY with next requeues next, delayed by its eta; its run starts with attempt 2 at seq 4', async () => {
      const first = await running();
      const next = { ...first.message, attempt: 2, eta: Date.now() + 400 };
      const error = { type: 'Error', message: 'flaky' };
      const outcome = await store().settle(first, { id: next.id, state: 'RETRY', attempt: 1, meta: { countdown: 400 }, error }, next);
      expect(outcome).toMatchObject({ applied: true, record: { state: 'RETRY', seq: 3 } });
      expect(await store().get(next.id)).toMatchObject({ state: 'RETRY', seq: 3, error });
      expect(await reserve()).toEqual([]);
      expect(await store().size('default')).toBe(1);
      const [again, ...rest] = await reserve({ waitMs: 3_000 });
      expect(rest).toEqual([]);
      expect(again?.message).toEqual(next);
      expect(again?.deliveries).toBe(1);
      expect(Date.now()).toBeGreaterThanOrEqual(next.eta);
      expect(again?.started).toMatchObject({ applied: true, record: { state: 'STARTED', attempt: 2, seq: 4 } });
      expect(await store().get(next.id)).toMatchObject({ state: 'STARTED', attempt: 2, seq: 4 });
    });

    it('a hand-back (PENDING with next = the same message) is reservable again at once and reads PENDING', async () => {
      const delivery = await running();
      const id = delivery.message.id;
      const outcome = await store().settle(delivery, { id, state: 'PENDING', meta: { reason: 'shutdown' } }, delivery.message);
      expect(outcome).toMatchObject({ applied: true, record: { state: 'PENDING', seq: 3 } });
      expect(await store().get(id)).toMatchObject({ state: 'PENDING', seq: 3, meta: { reason: 'shutdown' } });
      expect(await store().size('default')).toBe(1);
      const [again] = await reserve();
      expect(again?.message).toEqual(delivery.message);
      expect(again?.started).toMatchObject({ applied: true, record: { state: 'STARTED', seq: 4 } });
    });

    it('a refused settle still acks, and publishes nothing', async () => {
      const delivery = await running();
      const id = delivery.message.id;
      await store().apply({ id, state: 'PENDING', meta: { reason: 'handed back elsewhere' } }); // PENDING: RETRY may not follow
      const refused = await store().settle(delivery, { id, state: 'RETRY', attempt: 1 }, { ...delivery.message, attempt: 2 });
      expect(refused).toMatchObject({ applied: false, current: { state: 'PENDING', seq: 3 } });
      expect(await store().get(id)).toMatchObject({ state: 'PENDING', seq: 3 });
      await settled();
    });

    it('ack settles a delivery whose outcome was stored with apply', async () => {
      const delivery = await running();
      const id = delivery.message.id;
      expect(await store().apply({ id, state: 'SUCCESS', result: 'stored first' })).toMatchObject({ applied: true });
      await store().ack(delivery);
      expect(await store().get(id)).toMatchObject({ state: 'SUCCESS', seq: 3, result: 'stored first' });
      await settled();
    });
  });

  describe('dead letters', () => {
    it('dead-letters with a reason, lists, and re-queues as a new first delivery', async () => {
      const delivery = await running();
      await store().deadLetter(delivery, 'it kept crashing');
      expect(await store().size('default')).toBe(0);
      expect(await reserve()).toEqual([]);
      const dead = await store().deadLetters();
      expect(dead).toEqual([expect.objectContaining({ id: delivery.message.id, queue: 'default', reason: 'it kept crashing', raw: expect.any(String), deadAt: expect.any(Number) })]);
      expect(await store().retryDeadLetter('no-such-id')).toBe(false);
      expect(await store().retryDeadLetter(delivery.message.id)).toBe(true);
      expect(await store().deadLetters()).toEqual([]);
      const [again] = await reserve();
      expect(again?.message).toEqual(delivery.message);
      expect(again?.deliveries).toBe(1);
    });

    if (options.injectRaw !== undefined) {
      const injectRaw = options.injectRaw;
      it('moves a malformed message to the dead-letter queue with its reason, and goes on', async () => {
        await injectRaw(store(), 'default', '{not json');
        await injectRaw(store(), 'default', JSON.stringify({ id: 'x1', task: 'test.noop', args: 'nope', queue: 'default', priority: 0, attempt: 1, createdAt: 1 }));
        const good = makeMessage();
        await store().enqueue([good]);
        const first = await reserve({ waitMs: 1_000 });
        const deliveries = first.length > 0 ? first : await reserve();
        expect(deliveries.map((d) => d.message.id)).toEqual([good.id]);
        expect(deliveries[0]?.started).toMatchObject({ applied: true, record: { state: 'STARTED', seq: 2 } });
        const dead = await store().deadLetters();
        expect(dead.map((d) => d.reason)).toEqual([expect.stringMatching(/JSON/), expect.stringMatching(/args/)]);
        expect(dead.map((d) => d.queue)).toEqual(['default', 'default']);
      });
    }
  });

  describe('records', () => {
    let id: string;
    beforeEach(() => {
      id = randomUUID();
    });

    it('creates a record with PENDING at seq 1; an unknown id reads as null', async () => {
      expect(await store().get(id)).toBeNull();
      const outcome = await store().apply({ id, task: 't.x', state: 'PENDING', attempt: 1 });
      expect(outcome).toMatchObject({ applied: true, record: { id, task: 't.x', state: 'PENDING', seq: 1, attempt: 1 } });
      expect(await store().get(id)).toMatchObject({ state: 'PENDING', seq: 1 });
    });

    it('walks the happy path with seq + 1 per change, keeping the task name, and stores meta and result', async () => {
      await store().apply({ id, task: 't.x', state: 'PENDING' });
      await store().apply({ id, state: 'STARTED' });
      await store().apply({ id, state: 'PROGRESS', meta: { current: 3, total: 10, status: 'Loading' } });
      expect(await store().get(id)).toMatchObject({ task: 't.x', state: 'PROGRESS', seq: 3, meta: { current: 3, total: 10, status: 'Loading' } });
      await store().apply({ id, state: 'SUCCESS', result: { answer: 42, list: [1, 'a', null] } });
      const record = (await store().get(id)) as TaskRecord;
      expect(record).toMatchObject({ task: 't.x', state: 'SUCCESS', seq: 4, result: { answer: 42, list: [1, 'a', null] } });
      expect(record.updatedAt).toBeGreaterThan(0);
    });

    it('stores a failure with its error', async () => {
      await store().apply({ id, task: 't.x', state: 'PENDING' });
      await store().apply({ id, state: 'STARTED' });
      const error = { type: 'TypeError', message: 'boom', code: 'E_BOOM', stack: 'TypeError: boom\n  at x' };
      await store().apply({ id, state: 'FAILURE', error });
      expect(await store().get(id)).toMatchObject({ state: 'FAILURE', seq: 3, error });
    });

    it('refuses forbidden moves and changes nothing: terminal states are final, a used id cannot be reused', async () => {
      expect(await store().apply({ id, task: 't.x', state: 'STARTED' })).toEqual({ applied: false, current: null });
      expect(await store().get(id)).toBeNull();
      await store().apply({ id, task: 't.x', state: 'PENDING' });
      await store().apply({ id, state: 'STARTED' });
      await store().apply({ id, state: 'SUCCESS', result: 1 });
      for (const state of ['STARTED', 'PROGRESS', 'FAILURE', 'REVOKED', 'PENDING', 'SUCCESS']) {
        const outcome = await store().apply({ id, state, result: 2 });
        expect(outcome).toMatchObject({ applied: false, current: { state: 'SUCCESS', seq: 3 } });
      }
      expect(await store().get(id)).toMatchObject({ state: 'SUCCESS', seq: 3, result: 1 });
      const reuse = await store().apply({ id, task: 't.x', state: 'PENDING' });
      expect(reuse).toMatchObject({ applied: false, current: { state: 'SUCCESS' } });
    });

    it('a creation is refused whatever state the record is in, even one PENDING is reachable from', async () => {
      expect(await store().apply({ id, task: 't.x', state: 'PENDING', create: true })).toMatchObject({ applied: true, record: { seq: 1 } });
      expect(await store().apply({ id, task: 't.x', state: 'PENDING', create: true })).toMatchObject({ applied: false, current: { state: 'PENDING', seq: 1 } });
      await store().apply({ id, state: 'STARTED' });
      // STARTED → PENDING is a legal hand-back, but not a second enqueue of a running task.
      expect(await store().apply({ id, task: 't.x', state: 'PENDING', create: true })).toMatchObject({ applied: false, current: { state: 'STARTED', seq: 2 } });
      expect(await store().apply({ id, state: 'PENDING', meta: { reason: 'handed back' } })).toMatchObject({ applied: true, record: { state: 'PENDING', seq: 3 } });
    });

    it('lets exactly one of many racing terminal updates win', async () => {
      await store().apply({ id, task: 't.x', state: 'PENDING' });
      await store().apply({ id, state: 'STARTED' });
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store().apply({ id, state: i % 2 === 0 ? 'SUCCESS' : 'FAILURE', result: i, error: { type: 'E', message: String(i) } })),
      );
      expect(outcomes.filter((o) => o.applied)).toHaveLength(1);
      expect((await store().get(id))?.seq).toBe(3);
    });

    it('tells subscribers every accepted change, in order, until they unsubscribe', async () => {
      const seen: TaskRecord[] = [];
      const unsubscribe = await store().subscribe(id, (record) => seen.push(record));
      await store().apply({ id, task: 't.x', state: 'PENDING' });
      await store().apply({ id, state: 'STARTED' });
      await store().apply({ id, state: 'STARTED' }); // allowed: a redelivery starts over
      await store().apply({ id, state: 'SUCCESS', result: 7 });
      await store().apply({ id, state: 'FAILURE' }); // refused: not told
      await until(() => seen.length >= 4);
      await sleep(50);
      expect(seen.map((r) => [r.state, r.seq])).toEqual([
        ['PENDING', 1],
        ['STARTED', 2],
        ['STARTED', 3],
        ['SUCCESS', 4],
      ]);
      expect(seen[3]?.result).toBe(7);
      unsubscribe();
      await store().forget(id);
      await store().apply({ id, task: 't.x', state: 'PENDING' });
      await sleep(100);
      expect(seen).toHaveLength(4);
    });

    it('subscribe resolves only once live: subscribe-then-get never misses a change', async () => {
      await store().apply({ id, task: 't.x', state: 'PENDING' });
      const seen: string[] = [];
      const unsubscribe = await store().subscribe(id, (record) => seen.push(record.state));
      expect(await store().get(id)).toMatchObject({ state: 'PENDING', seq: 1 });
      await store().apply({ id, state: 'STARTED' });
      await until(() => seen.length >= 1);
      expect(seen).toEqual(['STARTED']);
      unsubscribe();
    });

    it('forgets a record; the id may then be used again from seq 1', async () => {
      await store().apply({ id, task: 't.x', state: 'PENDING' });
      await store().apply({ id, state: 'STARTED' });
      await store().forget(id);
      expect(await store().get(id)).toBeNull();
      expect(await store().apply({ id, task: 't.x', state: 'PENDING', create: true })).toMatchObject({ applied: true, record: { seq: 1 } });
      const [again] = await store().enqueue([makeMessage({ id })]);
      expect(again).toMatchObject({ applied: false, current: { state: 'PENDING' } });
    });

    it('compare-and-set succeeds once per expected value, and expires with a ttl', async () => {
      const key = `cas-${randomUUID()}`;
      expect(await store().getValue(key)).toBeNull();
      expect(await store().compareAndSet(key, 'x', '1')).toBe(false);
      const racers = await Promise.all(Array.from({ length: 10 }, (_, i) => store().compareAndSet(key, null, `v${i}`)));
      expect(racers.filter(Boolean)).toHaveLength(1);
      const winner = (await store().getValue(key)) as string;
      expect(winner).toMatch(/^v\d$/);
      expect(await store().compareAndSet(key, winner, 'next')).toBe(true);
      expect(await store().compareAndSet(key, winner, 'again')).toBe(false);
      expect(await store().getValue(key)).toBe('next');
      expect(await store().compareAndSet(key, 'next', 'short', 100)).toBe(true);
      expect(await store().getValue(key)).toBe('short');
      await sleep(250);
      expect(await store().getValue(key)).toBeNull();
    });

    it('keeps compare-and-set keys apart from task records', async () => {
      await store().apply({ id, task: 't.x', state: 'PENDING' });
      expect(await store().getValue(id)).toBeNull();
      expect(await store().compareAndSet(id, null, 'value')).toBe(true);
      expect(await store().get(id)).toMatchObject({ id, state: 'PENDING', seq: 1 });
      expect(await store().getValue(id)).toBe('value');
    });

    if (options.createPeer !== undefined) {
      const createPeer = options.createPeer;
      it('tells subscribers in other processes of every change, reserve included', async () => {
        const peer = await createPeer(store());
        try {
          const seen: string[] = [];
          const unsubscribe = await peer.subscribe(id, (record) => seen.push(`${record.state}:${record.seq}`));
          await store().enqueue([makeMessage({ id })]);
          const [delivery] = await store().reserve({ queues: ['default'], tasks: ['test.noop'], max: 1, waitMs: 0 });
          if (delivery === undefined) throw new Error('the enqueued message was not delivered');
          await store().settle(delivery, { id, state: 'SUCCESS', result: 'done' });
          await until(() => seen.length >= 3);
          expect(seen).toEqual(['PENDING:1', 'STARTED:2', 'SUCCESS:3']);
          expect(await peer.get(id)).toMatchObject({ state: 'SUCCESS', seq: 3, result: 'done' });
          unsubscribe();
        } finally {
          await peer.close();
        }
      });
    }
  });
}
