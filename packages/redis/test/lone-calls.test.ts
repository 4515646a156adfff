import { TaskStates } from '@celeriac/core';
import type { ApplyResult, StartedDelivery } from '@celeriac/core/adapter';
import { makeMessage } from '@celeriac/core/testing';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { backendKeys, brokerKeys } from '../src/internal/keys.js';
import { PRIORITY_UNIT, publishArgs, storedMessage } from '../src/internal/message-fields.js';
import { BUILTIN_STATES_ARG } from '../src/internal/record-codec.js';
import { SCRIPTS, runScript } from '../src/internal/scripts.js';
import { echoApp } from './helpers/apps.js';
import { type TestRedis, deleteKeys, uniquePrefix, useCleanups, useRedisServer } from './helpers/redis.js';

// The enqueue and settle scripts take a short path for the usual lone call (one fresh message; one
// terminal outcome of an implied STARTED). These tests hold it to what the general path, taken by
// a batch, does with the same input.

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

const TASK = 'lone.echo';
const cleanups = useCleanups();

function openApp() {
  const prefix = uniquePrefix('lone');
  const opened = echoApp({ connection: server.url, prefix }, TASK);
  cleanups.push(() => opened.close().then(() => deleteKeys(admin, prefix)));
  const reserve = (max: number) => opened.store.reserve({ queues: ['default'], tasks: [TASK], max, waitMs: 1_000 });
  const succeed = (delivery: StartedDelivery) => {
    const { id, task, attempt } = delivery.message;
    return opened.store.settle(delivery, { id, task, attempt, state: TaskStates.SUCCESS, result: { echoed: 'a "quoted" text' } });
  };
  return { ...opened, prefix, reserve, succeed };
}

/** A stored value, event or reply with what differs between two tasks (id, clock, the update's token) named instead. */
function normalized(text: string, id: string): string {
  return text.replaceAll(id, '<id>').replace(/\b\d{13}\b/g, '<ms>').replace(/^((?:[^\n]*\n){4})[^\n]+\.\d+\n/, '$1<token>\n');
}

function appliedRecord(result: ApplyResult): string {
  if (!result.applied) throw new Error('expected an applied update');
  return normalized(JSON.stringify(result.record), result.record.id);
}

/**
 * Every message published on the event channels of `ids`: SUBSCRIBE, so the scripts see a listener
 * on each, with the follow channel first, as every follower of task events must.
 */
async function listen(ids: readonly string[], prefix: string) {
  const subscriber = new Redis(server.url);
  cleanups.push(async () => subscriber.disconnect());
  const heard = new Map<string, string[]>();
  subscriber.on('message', (channel: string, message: string) => heard.set(channel, [...(heard.get(channel) ?? []), message]));
  await subscriber.subscribe(backendKeys(prefix).followChannel, ...ids.map((id) => backendKeys(prefix).events(id)));
  return (id: string) => heard.get(backendKeys(prefix).events(id)) ?? [];
}

describe('a lone call stores exactly what a batch stores', () => {
  it('a lone outcome: the same record, event, reply and acknowledgement as outcomes settled together', async () => {
    const { echo, store, prefix, reserve, succeed } = openApp();
    const results = await echo.bulk([[1], [1], [1], [1]]);
    const ids = results.map((r) => r.id);
    const heard = await listen(ids.slice(0, 2), prefix);
    const deliveries = await reserve(4);
    expect(deliveries.map((d) => d.message.id).sort()).toEqual([...ids].sort());
    const byId = new Map(deliveries.map((d) => [d.message.id, d]));
    const delivery = (i: number) => byId.get(ids[i] as string) as StartedDelivery;

    const alone = await succeed(delivery(0)); // watched, alone
    const unwatchedAlone = await succeed(delivery(2));
    const together = await Promise.all([succeed(delivery(1)), succeed(delivery(3))]); // one script call
    await new Promise((resolve) => setTimeout(resolve, 50)); // the events' way to the subscriber

    expect(appliedRecord(alone)).toBe(appliedRecord(together[0] as ApplyResult));
    expect(appliedRecord(unwatchedAlone)).toBe(appliedRecord(together[1] as ApplyResult));
    expect(appliedRecord(alone)).toContain('"state":"SUCCESS","seq":3');
    const stored = await Promise.all(ids.map(async (id) => normalized((await admin.get(backendKeys(prefix).record(id))) as string, id)));
    expect(stored[0]).toBe(stored[1]);
    expect(stored[2]).toBe(stored[3]);
    expect(stored[0]?.startsWith('SUCCESS\n3\n1\n<ms>\n<token>\n')).toBe(true);
    expect((await admin.get(backendKeys(prefix).record(ids[0] as string)))?.split('\n')[4]).toMatch(/\.1$/); // the update's token: "<call token>.1"
    expect(heard(ids[0] as string).map((event) => normalized(event, ids[0] as string))).toEqual(heard(ids[1] as string).map((event) => normalized(event, ids[1] as string)));
    expect(heard(ids[0] as string).map((event) => (JSON.parse(event) as { state: string }).state)).toEqual([TaskStates.STARTED, TaskStates.SUCCESS]);
    // Acknowledged: no lease, routing or start left; each body stays for its finished record (see lua/includes/taskLists.lua).
    const k = brokerKeys(prefix);
    expect(await admin.zrange(k.leases, '0', '-1')).toEqual([expect.stringMatching(/^encoding/)]);
    for (const hash of [k.meta, k.run]) expect(await admin.hmget(hash, ...ids)).toEqual([null, null, null, null]);
    expect((await admin.hmget(k.body, ...ids)).map((raw) => raw !== null)).toEqual([true, true, true, true]);
    expect(await store.settle(delivery(0), { id: ids[0] as string, state: TaskStates.SUCCESS, result: 2 })).toMatchObject({ applied: false });
  });

  it('a lone outcome over a stored record (a progress report) follows the stored seq, not the implied one', async () => {
    const { echo, store, reserve, succeed } = openApp();
    const { id } = await echo.delay(1);
    const [delivery] = await reserve(1);
    expect(await store.apply({ id, state: 'PROGRESS', meta: { done: 1 } })).toMatchObject({ applied: true, record: { seq: 3 } });
    expect(await succeed(delivery as StartedDelivery)).toMatchObject({ applied: true, record: { state: TaskStates.SUCCESS, seq: 4 } });
    expect(await store.get(id)).toMatchObject({ state: TaskStates.SUCCESS, seq: 4 });
  });

  it('a lone delay(): the same message, routing and ready entry as an enqueue of several', async () => {
    const { echo, prefix } = openApp();
    const alone = await echo.delay(3);
    const [first, second] = await echo.bulk([[3], [3]]);
    const k = brokerKeys(prefix);
    const ids = [alone.id, first?.id as string, second?.id as string];
    const bodies = await admin.hmget(k.body, ...ids);
    const metas = await admin.hmget(k.meta, ...ids);
    const scores = await admin.zmscore(k.ready('default', TASK), ...ids);
    expect(normalized(bodies[0] as string, ids[0] as string)).toBe(normalized(bodies[1] as string, ids[1] as string));
    for (let i = 0; i < 3; i++) expect(metas[i]).toBe(`${scores[i]} ${k.ready('default', TASK)}`);
    // Arrival order within one priority: the lone message first.
    expect(Number(scores[0])).toBeLessThan(Number(scores[1]));
    expect(await admin.hget(k.routes, k.ready('default', TASK))).not.toBeNull();
    expect(await admin.sismember(k.readyKeys('default'), k.ready('default', TASK))).toBe(1);
    expect((await alone.refresh()).record).toMatchObject({ state: TaskStates.PENDING, seq: 1 });
  });

  it('a lone enqueue sent twice (its reply lost in a reconnect) gets the first reply and stores its message once', async () => {
    const { prefix } = openApp();
    const client = new Redis(server.url);
    cleanups.push(async () => client.disconnect());
    const k = brokerKeys(prefix);
    const records = backendKeys(prefix);
    const stored = storedMessage(makeMessage({ task: TASK }));
    const keys = [k.seq, k.revoked, k.body, k.meta, k.dlv, k.routes, k.leases, k.tokens, k.run, k.paused, k.replay('call-1')];
    const args = [k.wakePrefix, PRIORITY_UNIT, 'origin', records.recordPrefix, records.eventPrefix, 60_000, BUILTIN_STATES_ARG, 'call-1', '', 1, 1, 1, ...publishArgs(k, [stored])];
    const call = () => runScript(client, SCRIPTS.enqueueJobs, keys, args);
    const first = (await call()) as unknown[];
    expect(first).toEqual([[expect.any(Number), 1], []]);
    expect(await call()).toEqual(first);
    expect(await admin.zcard(k.ready('default', TASK))).toBe(1);
    expect(await admin.get(k.seq)).toBe('1');
  });
});
