import { makeMessage } from '@celeriac/core/testing';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { type RedisStore, createRedisStore } from '../src/index.js';
import { brokerKeys } from '../src/internal/keys.js';
import { SCRIPTS } from '../src/internal/scripts.js';
import { type TestRedis, countScriptCalls, deleteKeys, uniquePrefix, useCleanups, useRedisServer } from './helpers/redis.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

const request = { queues: ['default'], tasks: ['test.noop'], max: 5 } as const;

/** A store on a connection of ours that counts the reserve script calls it sends. */
function countingBroker(prefix: string): { broker: RedisStore; reserveCalls: () => number; close: () => Promise<void> } {
  const client = new Redis(server.url);
  const reserveCalls = countScriptCalls(client, SCRIPTS.reserveJobs);
  const broker = createRedisStore({ connection: client, prefix });
  return {
    broker,
    reserveCalls,
    close: async () => {
      await broker.close();
      client.disconnect();
    },
  };
}

const cleanups = useCleanups();

/** A worker's store already listening for wake-ups (as after its first idle reserve), and a producer. */
async function setUp() {
  const prefix = uniquePrefix('drained');
  const worker = countingBroker(prefix);
  const producer = createRedisStore({ connection: server.url, prefix });
  cleanups.push(async () => {
    await Promise.all([worker.close(), producer.close()]);
    await deleteKeys(admin, prefix);
  });
  // Long enough that the empty look ends before it, on a loaded machine too: only a reserve with time
  // left subscribes to the queue's wake-ups.
  expect(await worker.broker.reserve({ ...request, waitMs: 300 })).toEqual([]);
  const base = worker.reserveCalls();
  return { broker: worker.broker, reserveCalls: () => worker.reserveCalls() - base, producer, prefix };
}

/** Runs `publish` and resolves once the queue's wake-up has reached a listener in this process, and a moment more. */
async function publishAndHearWakeUp(prefix: string, publish: () => Promise<unknown>): Promise<void> {
  const listener = new Redis(server.url);
  try {
    const channel = brokerKeys(prefix).wake('default');
    await listener.subscribe(channel);
    const heard = new Promise<void>((resolve) => listener.once('message', () => resolve()));
    await publish();
    await heard;
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    listener.disconnect();
  }
}

describe('a reserve that took the last ready message', () => {
  it('lets the next reserve sleep without a script call, until a wake-up brings work', async () => {
    const { broker, reserveCalls, producer, prefix } = await setUp();
    // Let its wake-up arrive first: one arriving after the reserve began may be about newer work,
    // and rightly costs a look. Pub/sub has no delivery receipt, so a listener of ours on the same
    // channel, in this process, tells when Redis has sent it (then the worker's socket has it too).
    await publishAndHearWakeUp(prefix, () => producer.publish([makeMessage()]));
    expect(await broker.reserve({ ...request, waitMs: 0 })).toHaveLength(1);
    expect(reserveCalls()).toBe(1);

    const second = makeMessage();
    const next = broker.reserve({ ...request, waitMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(reserveCalls()).toBe(1); // asleep: the queue was known to be empty
    await producer.publish([second]); // another process: the wake-up comes over pub/sub
    expect((await next).map((d) => d.message.id)).toEqual([second.id]);
    expect(reserveCalls()).toBe(2);
  });

  it('looks again at once when the take stopped at max', async () => {
    const { broker, reserveCalls, producer } = await setUp();
    await producer.publish([makeMessage(), makeMessage(), makeMessage()]);
    expect(await broker.reserve({ ...request, max: 2, waitMs: 0 })).toHaveLength(2);
    expect(await broker.reserve({ ...request, max: 2, waitMs: 0 })).toHaveLength(1);
    expect(reserveCalls()).toBe(2);
  });

  it('sleeps only until a delayed message is due', async () => {
    const { broker, producer } = await setUp();
    const delayed = makeMessage({ eta: Date.now() + 300 });
    await producer.publish([makeMessage(), delayed]);
    expect(await broker.reserve({ ...request, waitMs: 0 })).toHaveLength(1);
    const started = Date.now();
    const [due] = await broker.reserve({ ...request, waitMs: 5_000 });
    expect(due?.message.id).toBe(delayed.id);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('uses the hint once: a reserve that slept its waitMs still looks before it returns', async () => {
    const { broker, reserveCalls, producer } = await setUp();
    await producer.publish([makeMessage()]);
    expect(await broker.reserve({ ...request, waitMs: 0 })).toHaveLength(1);
    // A foreign producer pushes a raw message straight into the inbox, with no wake-up.
    const foreign = makeMessage();
    await admin.rpush(broker.inboxKey('default'), JSON.stringify(foreign));
    const [found] = await broker.reserve({ ...request, waitMs: 100 });
    expect(found?.message.id).toBe(foreign.id);
    expect(reserveCalls()).toBeGreaterThanOrEqual(2); // the skipped call, then the look after the sleep
  });
});
