import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TaskStore } from '../contracts/task-store.js';
import type { WorkerInfo } from '../contracts/workers.js';
import { sleep, until } from './fixtures.js';
import type { TaskStoreSuite } from './task-store-conformance.js';

/** The event stream length a store keeps by default (its `eventLimit` option), which the bound test relies on. */
const EVENT_LIMIT = 10_000;

function workerInfo(over: Partial<WorkerInfo> = {}): WorkerInfo {
  const now = Date.now();
  return {
    id: `celeriac@test:1:${randomUUID().slice(0, 4)}`,
    host: 'test',
    pid: 1,
    version: '0.0.0',
    store: 'TestStore',
    queues: ['default'],
    tasks: ['test.noop'],
    concurrency: 4,
    pool: 'inline',
    running: [{ id: randomUUID(), task: 'test.noop', attempt: 1, startedAt: now }],
    processed: 3,
    failed: 1,
    startedAt: now,
    lastHeartbeatAt: now,
    heartbeatInterval: 1_000,
    events: false,
    ...over,
  };
}

/**
 * Section 8 of the contract, "Workers and events": the worker registry (heartbeats with a TTL),
 * broadcasts (ping), the bounded queue-wide event stream, and the connection listener.
 */
export function taskStoreEventTests({ options, store }: TaskStoreSuite): void {
  /** Another process on the same storage, when the store has one; else this store. */
  const peerOf = async (s: TaskStore): Promise<{ peer: TaskStore; close: () => Promise<void> }> => {
    if (options.createPeer === undefined) return { peer: s, close: async () => undefined };
    const peer = await options.createPeer(s);
    return { peer, close: () => peer.close() };
  };

  describe('workers and events: the registry', () => {
    it('lists a worker after its heartbeat, as it was sent; a later heartbeat replaces it; removeWorker removes it', async () => {
      const first = workerInfo();
      const other = workerInfo();
      await store().heartbeatWorker(first, 10_000);
      await store().heartbeatWorker(other, 10_000);
      const byId = (list: WorkerInfo[]) => list.sort((a, b) => a.id.localeCompare(b.id));
      expect(byId(await store().workers())).toEqual(byId([first, other]));
      const later = { ...first, processed: 9, running: [], lastHeartbeatAt: first.lastHeartbeatAt + 1 };
      await store().heartbeatWorker(later, 10_000);
      expect(byId(await store().workers())).toEqual(byId([later, other]));
      await store().removeWorker(first.id);
      expect(await store().workers()).toEqual([other]);
      await store().removeWorker('never-registered');
      expect(await store().workers()).toEqual([other]);
    });

    it('drops a worker whose heartbeat TTL passed without another (a killed worker)', async () => {
      const dying = workerInfo();
      const alive = workerInfo();
      await store().heartbeatWorker(dying, 300);
      await store().heartbeatWorker(alive, 10_000);
      expect((await store().workers()).map((w) => w.id).sort()).toEqual([dying.id, alive.id].sort());
      await sleep(450);
      expect((await store().workers()).map((w) => w.id)).toEqual([alive.id]);
      // A worker that beats again after a lapse (cut off, then back) is listed again.
      await store().heartbeatWorker(dying, 10_000);
      expect((await store().workers()).map((w) => w.id).sort()).toEqual([dying.id, alive.id].sort());
    });
  });

  describe('workers and events: broadcasts', () => {
    it('delivers a broadcast to every listener, of this store and of another on the same storage, and none after unsubscribing', async () => {
      const { peer, close } = await peerOf(store());
      try {
        const here: string[] = [];
        const there: string[] = [];
        const offHere = await store().onBroadcast((m) => here.push(m));
        const offThere = await peer.onBroadcast((m) => there.push(m));
        await store().broadcast('{"type":"ping","id":"1"}');
        await peer.broadcast('second');
        await until(() => here.length >= 2 && there.length >= 2);
        expect(here).toEqual(['{"type":"ping","id":"1"}', 'second']);
        expect(there).toEqual(['{"type":"ping","id":"1"}', 'second']);
        offHere();
        offThere();
        await store().broadcast('after');
        await sleep(100);
        expect(here).toHaveLength(2);
        expect(there).toHaveLength(2);
      } finally {
        await close();
      }
    });
  });

  describe('workers and events: the event stream', () => {
    it('keeps appended events in order: recentEvents gives the newest, oldest first', async () => {
      expect(await store().recentEvents(10)).toEqual([]);
      await store().appendEvents(['a', 'b']);
      await store().appendEvents([]);
      await store().appendEvents(['c', '{"type":"task-sent","x":"ü ✓"}']);
      expect(await store().recentEvents(10)).toEqual(['a', 'b', 'c', '{"type":"task-sent","x":"ü ✓"}']);
      expect(await store().recentEvents(2)).toEqual(['c', '{"type":"task-sent","x":"ü ✓"}']);
    });

    it('tells followers, of this store and another on the same storage, every later event once, in order, until they stop', async () => {
      const { peer, close } = await peerOf(store());
      try {
        await store().appendEvents(['before']);
        const here: string[] = [];
        const there: string[] = [];
        const offHere = await store().followEvents((batch) => here.push(...batch));
        const offThere = await peer.followEvents((batch) => there.push(...batch));
        await store().appendEvents(['1', '2']);
        await peer.appendEvents(['3']);
        await store().appendEvents(['4', '5', '6']);
        await until(() => here.length >= 6 && there.length >= 6);
        await sleep(50);
        expect(here).toEqual(['1', '2', '3', '4', '5', '6']);
        expect(there).toEqual(['1', '2', '3', '4', '5', '6']);
        offHere();
        await store().appendEvents(['7']);
        await until(() => there.length >= 7);
        await sleep(50);
        expect(here).toHaveLength(6);
        expect(there).toEqual(['1', '2', '3', '4', '5', '6', '7']);
        offThere();
      } finally {
        await close();
      }
    });

    it('with since, a follower gets the stored events from then on first, then the live ones, none twice', async () => {
      await store().appendEvents(['old']);
      await sleep(30);
      const since = Date.now();
      await sleep(5);
      await store().appendEvents(['recent 1', 'recent 2']);
      const seen: string[] = [];
      const off = await store().followEvents((batch) => seen.push(...batch), since);
      await store().appendEvents(['live']);
      await until(() => seen.length >= 3);
      await sleep(50);
      expect(seen).toEqual(['recent 1', 'recent 2', 'live']);
      off();
    });

    it(`is bounded: it keeps about the newest ${EVENT_LIMIT} events (at most a tenth more), the oldest going first`, async () => {
      const total = EVENT_LIMIT * 2;
      for (let at = 0; at < total; at += 1_000) await store().appendEvents(Array.from({ length: 1_000 }, (_, i) => `e${at + i}`));
      const kept = await store().recentEvents(total);
      expect(kept.length).toBeGreaterThanOrEqual(EVENT_LIMIT);
      expect(kept.length).toBeLessThanOrEqual(EVENT_LIMIT * 1.1);
      expect(kept[kept.length - 1]).toBe(`e${total - 1}`);
      expect(kept[0]).toBe(`e${total - kept.length}`);
    });
  });

  describe('workers and events: the connection', () => {
    it('takes a connection listener and returns a function that removes it (a store that stays connected never calls it)', async () => {
      const changes: unknown[] = [];
      const off = store().onConnectionChange((change) => changes.push(change));
      expect(typeof off).toBe('function');
      await store().workers();
      off();
      expect(changes).toEqual([]);
    });
  });
}
