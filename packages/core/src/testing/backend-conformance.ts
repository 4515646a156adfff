import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskRecord } from '../contracts/record.js';
import type { ResultBackend } from '../contracts/result-backend.js';
import { sleep } from './fixtures.js';

export interface BackendConformanceOptions {
  name: string;
  /** A fresh, empty backend for each test. */
  create: () => Promise<ResultBackend>;
  destroy?: (backend: ResultBackend) => Promise<void>;
  /** A second backend on the same storage, to check that events reach other processes. */
  createPeer?: (backend: ResultBackend) => Promise<ResultBackend>;
}

/** The contract of a result backend for `splitStore`. A `TaskStore` passes `taskStoreConformance` instead. */
export function backendConformance(options: BackendConformanceOptions): void {
  describe(`ResultBackend conformance: ${options.name}`, () => {
    let backend: ResultBackend;
    let id: string;
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 150 && !check(); i++) await sleep(20);
    };

    beforeEach(async () => {
      backend = await options.create();
      id = randomUUID();
    });
    afterEach(async () => {
      await backend.close();
      await options.destroy?.(backend);
    });

    it('creates a record with PENDING at seq 1; an unknown id reads as null', async () => {
      expect(await backend.get(id)).toBeNull();
      const outcome = await backend.apply({ id, task: 't.x', state: 'PENDING', attempt: 1 });
      expect(outcome).toMatchObject({ applied: true, record: { id, task: 't.x', state: 'PENDING', seq: 1, attempt: 1 } });
      expect(await backend.get(id)).toMatchObject({ state: 'PENDING', seq: 1 });
    });

    it('walks the happy path with seq + 1 per change, keeping the task name, and stores meta and result', async () => {
      await backend.apply({ id, task: 't.x', state: 'PENDING' });
      await backend.apply({ id, state: 'STARTED' });
      await backend.apply({ id, state: 'PROGRESS', meta: { current: 3, total: 10, status: 'Loading' } });
      expect(await backend.get(id)).toMatchObject({ task: 't.x', state: 'PROGRESS', seq: 3, meta: { current: 3, total: 10, status: 'Loading' } });
      await backend.apply({ id, state: 'SUCCESS', result: { answer: 42, list: [1, 'a', null] } });
      const record = (await backend.get(id)) as TaskRecord;
      expect(record).toMatchObject({ task: 't.x', state: 'SUCCESS', seq: 4, result: { answer: 42, list: [1, 'a', null] } });
      expect(record.updatedAt).toBeGreaterThan(0);
    });

    it('stores a failure with its error', async () => {
      await backend.apply({ id, task: 't.x', state: 'PENDING' });
      await backend.apply({ id, state: 'STARTED' });
      const error = { type: 'TypeError', message: 'boom', stack: 'TypeError: boom\n  at x' };
      await backend.apply({ id, state: 'FAILURE', error });
      expect(await backend.get(id)).toMatchObject({ state: 'FAILURE', error });
    });

    it('refuses forbidden moves and changes nothing: terminal states are final, a used id cannot be reused', async () => {
      expect(await backend.apply({ id, task: 't.x', state: 'STARTED' })).toEqual({ applied: false, current: null });
      await backend.apply({ id, task: 't.x', state: 'PENDING' });
      await backend.apply({ id, state: 'STARTED' });
      await backend.apply({ id, state: 'SUCCESS', result: 1 });
      for (const state of ['STARTED', 'PROGRESS', 'FAILURE', 'REVOKED', 'PENDING', 'SUCCESS']) {
        const outcome = await backend.apply({ id, state, result: 2 });
        expect(outcome.applied).toBe(false);
      }
      expect(await backend.get(id)).toMatchObject({ state: 'SUCCESS', seq: 3, result: 1 });
      const reuse = await backend.apply({ id, task: 't.x', state: 'PENDING' });
      expect(reuse).toMatchObject({ applied: false, current: { state: 'SUCCESS' } });
    });

    it('a creation is refused whatever state the record is in, even one PENDING is reachable from', async () => {
      expect(await backend.apply({ id, task: 't.x', state: 'PENDING', create: true })).toMatchObject({ applied: true, record: { seq: 1 } });
      expect(await backend.apply({ id, task: 't.x', state: 'PENDING', create: true })).toMatchObject({ applied: false, current: { state: 'PENDING', seq: 1 } });
      await backend.apply({ id, state: 'STARTED' });
      // STARTED → PENDING is a legal hand-back, but not a second enqueue of a running task.
      expect(await backend.apply({ id, task: 't.x', state: 'PENDING', create: true })).toMatchObject({ applied: false, current: { state: 'STARTED', seq: 2 } });
      expect(await backend.apply({ id, state: 'PENDING', meta: { reason: 'handed back' } })).toMatchObject({ applied: true, record: { state: 'PENDING', seq: 3 } });
    });

    it('lets exactly one of many racing terminal updates win', async () => {
      await backend.apply({ id, task: 't.x', state: 'PENDING' });
      await backend.apply({ id, state: 'STARTED' });
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => backend.apply({ id, state: i % 2 === 0 ? 'SUCCESS' : 'FAILURE', result: i, error: { type: 'E', message: String(i) } })),
      );
      expect(outcomes.filter((o) => o.applied)).toHaveLength(1);
      expect((await backend.get(id))?.seq).toBe(3);
    });

    it('publishes every accepted change, in order, to subscribers until they unsubscribe', async () => {
      const seen: TaskRecord[] = [];
      const unsubscribe = await backend.subscribe(id, (record) => seen.push(record));
      await backend.apply({ id, task: 't.x', state: 'PENDING' });
      await backend.apply({ id, state: 'STARTED' });
      await backend.apply({ id, state: 'STARTED', result: 'refused?' }); // allowed: redelivery restarts
      await backend.apply({ id, state: 'SUCCESS', result: 7 });
      await backend.apply({ id, state: 'FAILURE' }); // refused: not published
      await until(() => seen.length >= 4);
      expect(seen.map((r) => [r.state, r.seq])).toEqual([
        ['PENDING', 1],
        ['STARTED', 2],
        ['STARTED', 3],
        ['SUCCESS', 4],
      ]);
      unsubscribe();
      const other = randomUUID();
      await backend.apply({ id: other, task: 't.x', state: 'PENDING' });
      await sleep(100);
      expect(seen).toHaveLength(4);
    });

    it('subscribe resolves only once live: subscribe-then-get never misses a change', async () => {
      await backend.apply({ id, task: 't.x', state: 'PENDING' });
      const seen: string[] = [];
      const unsubscribe = await backend.subscribe(id, (record) => seen.push(record.state));
      await backend.apply({ id, state: 'STARTED' });
      await until(() => seen.length >= 1);
      expect(seen).toEqual(['STARTED']);
      unsubscribe();
    });

    it('forgets a record', async () => {
      await backend.apply({ id, task: 't.x', state: 'PENDING' });
      await backend.forget(id);
      expect(await backend.get(id)).toBeNull();
    });

    it('completes a group once every member is counted, and says so to every later report', async () => {
      const group = randomUUID();
      expect(await backend.completeGroupMember(group, 'a', 3)).toBe(false);
      expect(await backend.completeGroupMember(group, 'a', 3)).toBe(false); // duplicate report
      expect(await backend.completeGroupMember(group, 'b', 3)).toBe(false);
      expect(await backend.completeGroupMember(group, 'c', 3)).toBe(true);
      expect(await backend.completeGroupMember(group, 'b', 3)).toBe(true); // a redelivered report
    });

    it('reopens a FAILURE record as PENDING with seq and attempt + 1, and nothing else', async () => {
      await backend.apply({ id, task: 't.x', state: 'PENDING', create: true });
      expect(await backend.reopen(id)).toMatchObject({ applied: false, current: { state: 'PENDING' } });
      await backend.apply({ id, state: 'FAILURE', error: { type: 'Error', message: 'boom' } });
      expect(await backend.reopen(id)).toMatchObject({ applied: true, record: { state: 'PENDING', seq: 3, attempt: 2 } });
      expect(await backend.apply({ id, state: 'STARTED', attempt: 2 })).toMatchObject({ applied: true, record: { seq: 4 } });
      expect(await backend.reopen('no-such-id')).toEqual({ applied: false, current: null });
    });

    it('compare-and-set succeeds once per expected value', async () => {
      const key = `cas-${randomUUID()}`;
      expect(await backend.getValue(key)).toBeNull();
      expect(await backend.compareAndSet(key, 'x', '1')).toBe(false);
      const racers = await Promise.all(Array.from({ length: 10 }, (_, i) => backend.compareAndSet(key, null, `v${i}`)));
      expect(racers.filter(Boolean)).toHaveLength(1);
      const winner = (await backend.getValue(key)) as string;
      expect(winner).toMatch(/^v\d$/);
      expect(await backend.compareAndSet(key, winner, 'next')).toBe(true);
      expect(await backend.compareAndSet(key, winner, 'again')).toBe(false);
      expect(await backend.getValue(key)).toBe('next');
      await backend.compareAndSet(key, 'next', 'short', 100);
      await sleep(250);
      expect(await backend.getValue(key)).toBeNull();
    });

    if (options.createPeer !== undefined) {
      const createPeer = options.createPeer;
      it('delivers changes to subscribers in other processes', async () => {
        const peer = await createPeer(backend);
        try {
          const seen: string[] = [];
          const unsubscribe = await peer.subscribe(id, (record) => seen.push(record.state));
          await backend.apply({ id, task: 't.x', state: 'PENDING' });
          await backend.apply({ id, state: 'STARTED' });
          await until(() => seen.length >= 2);
          expect(seen).toEqual(['PENDING', 'STARTED']);
          unsubscribe();
        } finally {
          await peer.close();
        }
      });
    }
  });
}
