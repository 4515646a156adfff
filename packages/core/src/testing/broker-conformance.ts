import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Broker, Delivery, ReserveRequest } from '../contracts/broker.js';
import { makeMessage, sleep } from './fixtures.js';

export interface BrokerConformanceOptions {
  /** Shown in test names. */
  name: string;
  /** A fresh, empty broker for each test (e.g. a new key prefix). */
  create: () => Promise<Broker>;
  /** Called after each test with the broker it made, after `close()`. */
  destroy?: (broker: Broker) => Promise<void>;
  /** Puts a raw string on a queue as a foreign producer could, bypassing `publish`. */
  injectRaw: (broker: Broker, queue: string, raw: string) => Promise<void>;
  /**
   * For brokers with leases: make the broker forget its in-flight deliveries as if its process died,
   * and resolve once they may be delivered again. Brokers that live and die with their process omit it.
   */
  abandon?: (broker: Broker) => Promise<void>;
  /** A second broker on the same storage, to check that revocations reach other processes. */
  createPeer?: (broker: Broker) => Promise<Broker>;
}

/**
 * The contract of a broker for `splitStore` (socket.io's adapter-tests pattern): call it from a
 * test file of the adapter package. A `TaskStore` passes `taskStoreConformance` instead.
 */
export function brokerConformance(options: BrokerConformanceOptions): void {
  describe(`Broker conformance: ${options.name}`, () => {
    let broker: Broker;
    const req = (over: Partial<ReserveRequest> = {}): ReserveRequest => ({ queues: ['default'], tasks: ['test.noop'], max: 10, waitMs: 0, ...over });
    const drain = async (over: Partial<ReserveRequest> = {}): Promise<Delivery[]> => broker.reserve(req({ max: 1000, ...over }));

    beforeEach(async () => {
      broker = await options.create();
    });
    afterEach(async () => {
      await broker.close();
      await options.destroy?.(broker);
    });

    it('delivers a published message once, intact, with deliveries = 1', async () => {
      const message = makeMessage({ args: [1, 'two', { three: [3] }] });
      await broker.publish([message]);
      const [delivery, ...rest] = await drain();
      expect(rest).toEqual([]);
      expect(delivery?.message).toEqual(message);
      expect(delivery?.deliveries).toBe(1);
      expect(await drain()).toEqual([]);
    });

    it('serves only the named queues and tasks', async () => {
      const a = makeMessage({ task: 'test.a' });
      const b = makeMessage({ task: 'test.b' });
      const other = makeMessage({ task: 'test.a', queue: 'other' });
      await broker.publish([a, b, other]);
      expect((await drain({ tasks: ['test.a'] })).map((d) => d.message.id)).toEqual([a.id]);
      expect((await drain({ tasks: ['test.b'] })).map((d) => d.message.id)).toEqual([b.id]);
      expect((await drain({ tasks: ['test.a'], queues: ['other'] })).map((d) => d.message.id)).toEqual([other.id]);
    });

    it('orders by priority (higher first), then first in first out, across tasks', async () => {
      const low1 = makeMessage({ task: 'test.a', priority: 0 });
      const high = makeMessage({ task: 'test.b', priority: 9 });
      const low2 = makeMessage({ task: 'test.b', priority: 0 });
      const mid = makeMessage({ task: 'test.a', priority: 5 });
      await broker.publish([low1, high, low2, mid]);
      const order = (await drain({ tasks: ['test.a', 'test.b'] })).map((d) => d.message.id);
      expect(order).toEqual([high.id, mid.id, low1.id, low2.id]);
    });

    it('returns at most `max` messages', async () => {
      await broker.publish(Array.from({ length: 5 }, () => makeMessage()));
      expect(await broker.reserve(req({ max: 2 }))).toHaveLength(2);
      expect(await broker.reserve(req({ max: 10 }))).toHaveLength(3);
    });

    it('wakes a waiting reserve as soon as a message is published', async () => {
      const started = Date.now();
      const waiting = broker.reserve(req({ waitMs: 5_000 }));
      await sleep(50);
      const message = makeMessage();
      await broker.publish([message]);
      const deliveries = await waiting;
      expect(deliveries.map((d) => d.message.id)).toEqual([message.id]);
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('returns [] after waitMs when nothing comes, and at once when aborted', async () => {
      const started = Date.now();
      expect(await broker.reserve(req({ waitMs: 200 }))).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      const controller = new AbortController();
      const aborted = broker.reserve(req({ waitMs: 10_000, signal: controller.signal }));
      const abortAt = Date.now();
      controller.abort();
      expect(await aborted).toEqual([]);
      expect(Date.now() - abortAt).toBeLessThan(2_000);
    });

    it('holds a delayed message until its eta, then delivers it without a new publish', async () => {
      const message = makeMessage({ eta: Date.now() + 400 });
      await broker.publish([message]);
      expect(await drain()).toEqual([]);
      expect(await broker.size('default')).toBe(1);
      const deliveries = await broker.reserve(req({ waitMs: 3_000 }));
      expect(deliveries.map((d) => d.message.id)).toEqual([message.id]);
      expect(Date.now()).toBeGreaterThanOrEqual(message.eta as number);
    });

    it('holds a delivery until it is settled (the lease splitStore checks before each write)', async () => {
      await broker.publish([makeMessage(), makeMessage()]);
      const [acked, requeued] = await drain();
      expect(await broker.holds(acked as Delivery)).toBe(true);
      await broker.ack(acked as Delivery);
      expect(await broker.holds(acked as Delivery)).toBe(false);
      await broker.requeue(requeued as Delivery, (requeued as Delivery).message);
      expect(await broker.holds(requeued as Delivery)).toBe(false);
      const [again] = await drain();
      expect(await broker.holds(again as Delivery)).toBe(true);
      await broker.ack(again as Delivery);
    });

    it('forgets an acknowledged delivery', async () => {
      await broker.publish([makeMessage()]);
      const [delivery] = await drain();
      await broker.ack(delivery as Delivery);
      expect(await broker.size('default')).toBe(0);
      expect(await drain()).toEqual([]);
    });

    it('requeue: a retry waits for its eta and starts a fresh delivery count; a hand-back is available at once', async () => {
      const message = makeMessage();
      await broker.publish([message]);
      const [first] = await drain();
      await broker.requeue(first as Delivery, first?.message as typeof message);
      const [handedBack] = await drain();
      expect(handedBack?.message.id).toBe(message.id);
      const retry = { ...message, attempt: 2, eta: Date.now() + 300 };
      await broker.requeue(handedBack as Delivery, retry);
      expect(await drain()).toEqual([]);
      const [again] = await broker.reserve(req({ waitMs: 3_000 }));
      expect(again?.message).toEqual(retry);
      expect(again?.deliveries).toBe(1);
    });

    it('never delivers a revoked message, waiting or delayed, and tells revoke listeners', async () => {
      const waiting = makeMessage();
      const delayed = makeMessage({ eta: Date.now() + 200 });
      const kept = makeMessage();
      await broker.publish([waiting, delayed, kept]);
      const heard: string[] = [];
      const unsubscribe = await broker.onRevoke((id) => heard.push(id));
      await broker.revoke(waiting.id);
      await broker.revoke(delayed.id);
      expect(await broker.isRevoked(waiting.id)).toBe(true);
      expect(await broker.isRevoked(kept.id)).toBe(false);
      await sleep(400);
      expect((await drain()).map((d) => d.message.id)).toEqual([kept.id]);
      for (let i = 0; i < 50 && heard.length < 2; i++) await sleep(20);
      expect(heard).toEqual([waiting.id, delayed.id]);
      unsubscribe();
    });

    it('a message published after its id was revoked never runs either', async () => {
      const message = makeMessage();
      await broker.revoke(message.id);
      await broker.publish([message]);
      expect(await drain()).toEqual([]);
    });

    it('dead-letters with a reason, lists, and re-queues', async () => {
      const message = makeMessage();
      await broker.publish([message]);
      const [delivery] = await drain();
      await broker.deadLetter(delivery as Delivery, 'it kept crashing');
      const [dead] = await broker.deadLetters();
      expect(dead).toMatchObject({ id: message.id, queue: 'default', reason: 'it kept crashing' });
      expect(await broker.retryDeadLetter(message.id)).toBe(true);
      expect(await broker.retryDeadLetter('no-such-id')).toBe(false);
      expect(await broker.deadLetters()).toEqual([]);
      const [again] = await drain();
      expect(again?.message.id).toBe(message.id);
      expect(again?.deliveries).toBe(1);
    });

    it('pages dead letters, requeues with a new attempt, purges, and revoke returns the waiting message', async () => {
      const messages = [makeMessage(), makeMessage(), makeMessage()];
      await broker.publish(messages);
      for (const delivery of await drain()) await broker.deadLetter(delivery, 'dead');
      expect((await broker.deadLetters(2, 1)).map((d) => d.id)).toEqual([messages[1]?.id, messages[2]?.id]);
      expect(await broker.retryDeadLetter(messages[0]?.id as string, 2)).toBe(true);
      const [again] = await drain();
      expect(again?.message).toMatchObject({ id: messages[0]?.id, attempt: 2 });
      expect(await broker.purgeDeadLetters([messages[1]?.id as string, 'no-such-id'])).toBe(1);
      expect(await broker.purgeDeadLetters()).toBe(1);
      expect(await broker.deadLetters()).toEqual([]);
      const waiting = makeMessage({ chain: [] });
      await broker.publish([waiting]);
      expect(await broker.revoke(waiting.id)).toMatchObject({ id: waiting.id });
      expect(await broker.revoke(waiting.id)).toBeNull();
    });

    it('moves a malformed message to the dead-letter queue with its reason, and goes on', async () => {
      await options.injectRaw(broker, 'default', '{not json');
      await options.injectRaw(broker, 'default', JSON.stringify({ id: 'x1', task: 'test.noop', args: 'nope', queue: 'default', priority: 0, attempt: 1, createdAt: 1 }));
      const good = makeMessage();
      await broker.publish([good]);
      const deliveries = await broker.reserve(req({ waitMs: 1_000 }));
      const all = deliveries.length > 0 ? deliveries : await drain();
      expect(all.map((d) => d.message.id)).toEqual([good.id]);
      const dead = await broker.deadLetters();
      expect(dead.map((d) => d.reason)).toEqual([expect.stringMatching(/JSON/), expect.stringMatching(/args/)]);
    });

    it('delivers each message exactly once to concurrent reservers', async () => {
      const messages = Array.from({ length: 200 }, () => makeMessage());
      await broker.publish(messages);
      const batches = await Promise.all(Array.from({ length: 10 }, () => broker.reserve(req({ max: 30 }))));
      const rest = await drain();
      const ids = [...batches.flat(), ...rest].map((d) => d.message.id);
      expect(ids).toHaveLength(200);
      expect(new Set(ids).size).toBe(200);
    });

    it('rate limits a task across reservers without holding back other tasks', async () => {
      const limited = Array.from({ length: 6 }, () => makeMessage({ task: 'test.a' }));
      const free = Array.from({ length: 4 }, () => makeMessage({ task: 'test.b' }));
      await broker.publish([...limited, ...free]);
      const rateLimits = { 'test.a': { limit: 2, intervalMs: 500 } };
      const tasks = ['test.a', 'test.b'];
      const first = await Promise.all([broker.reserve(req({ tasks, rateLimits, max: 10 })), broker.reserve(req({ tasks, rateLimits, max: 10 }))]);
      const names = first.flat().map((d) => d.message.task);
      expect(names.filter((t) => t === 'test.a')).toHaveLength(2);
      expect(names.filter((t) => t === 'test.b')).toHaveLength(4);
      expect(await broker.reserve(req({ tasks, rateLimits }))).toEqual([]);
      const started = Date.now();
      const next = await broker.reserve(req({ tasks, rateLimits, waitMs: 3_000 }));
      expect(next.map((d) => d.message.task)).toEqual(['test.a', 'test.a']);
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    });

    if (options.abandon !== undefined) {
      const abandon = options.abandon;
      it('redelivers a delivery whose holder died, counting deliveries', async () => {
        const message = makeMessage();
        await broker.publish([message]);
        const [first] = await drain();
        expect(first?.deliveries).toBe(1);
        await abandon(broker);
        const [second] = await broker.reserve(req({ waitMs: 5_000 }));
        expect(second?.message.id).toBe(message.id);
        expect(second?.deliveries).toBe(2);
      });
    }

    if (options.createPeer !== undefined) {
      const createPeer = options.createPeer;
      it('tells revoke listeners in other processes', async () => {
        const peer = await createPeer(broker);
        try {
          const heard: string[] = [];
          await peer.onRevoke((id) => heard.push(id));
          await broker.revoke('remote-1');
          for (let i = 0; i < 100 && heard.length === 0; i++) await sleep(20);
          expect(heard).toEqual(['remote-1']);
          expect(await peer.isRevoked('remote-1')).toBe(true);
        } finally {
          await peer.close();
        }
      });
    }
  });
}
