import { TaskStates } from '@celeriac/core';
import type { StartedDelivery } from '@celeriac/core/adapter';
import { makeMessage } from '@celeriac/core/testing';
import { Redis } from 'ioredis';
import type { RedisStoreOptions } from '../src/index.js';
import { describe, expect, it } from 'vitest';
import { backendKeys, brokerKeys } from '../src/internal/keys.js';
import { PRIORITY_UNIT, publishArgs, storedMessage } from '../src/internal/message-fields.js';
import { BUILTIN_STATES_ARG } from '../src/internal/record-codec.js';
import { SCRIPTS, runScript } from '../src/internal/scripts.js';
import { echoApp } from './helpers/apps.js';
import { type TestRedis, countScriptCalls, deleteKeys, uniquePrefix, useCleanups, useRedisServer } from './helpers/redis.js';

// The usual enqueue and settle calls have scripts of their own (enqueueOne, settleOne,
// settleShaped), which the client picks from what it sends; everything else takes the general
// scripts. lone-calls.test.ts holds the short scripts to what the general ones store.

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

const TASK = 'choice.echo';
const cleanups = useCleanups();

const COUNTED = ['enqueueOne', 'enqueueJobs', 'settleOne', 'settleShaped', 'settleJobs'] as const;

/**
 * An app whose stores send their scripts through a connection of ours, counting each script's
 * calls (loaded first: a NOSCRIPT reply would count its EVAL as a second call).
 */
async function openApp(options: Pick<RedisStoreOptions, 'tuning'> = {}) {
  const prefix = uniquePrefix('choice');
  const client = new Redis(server.url);
  for (const name of COUNTED) await admin.script('LOAD', SCRIPTS[name].lua);
  const calls = Object.fromEntries(COUNTED.map((name) => [name, countScriptCalls(client, SCRIPTS[name])]));
  const counts = () => Object.fromEntries(Object.entries(calls).map(([name, count]) => [name, count()]));
  const opened = echoApp({ connection: client, prefix, ...options }, TASK);
  cleanups.push(async () => {
    await opened.close();
    client.disconnect();
    await deleteKeys(admin, prefix);
  });
  const reserve = (max: number) => opened.store.reserve({ queues: ['default'], tasks: [TASK], max, waitMs: 1_000 });
  const succeed = (delivery: StartedDelivery) => {
    const { id, task, attempt } = delivery.message;
    return opened.store.settle(delivery, { id, task, attempt, state: TaskStates.SUCCESS, result: attempt });
  };
  return { ...opened, prefix, counts, reserve, succeed };
}

/** The enqueueOne call a lone delay() of a fresh message makes, named by `token`: a function that sends it (again). */
function loneEnqueue(prefix: string, token: string): () => Promise<unknown> {
  const k = brokerKeys(prefix);
  const { recordPrefix, eventPrefix } = backendKeys(prefix);
  const header = [recordPrefix, eventPrefix, 60_000, BUILTIN_STATES_ARG, token];
  const oneFreshMessage = ['', 1, 1, 1, ...publishArgs(k, [storedMessage(makeMessage({ task: TASK }))])];
  const keys = [k.seq, k.revoked, k.body, k.meta, k.dlv, k.routes, k.leases, k.tokens, k.run, k.paused, k.replay(token)];
  return () => runScript(admin, SCRIPTS.enqueueOne, keys, [k.wakePrefix, PRIORITY_UNIT, 'origin', ...header, ...oneFreshMessage]);
}

describe('the client picks the script for the call', () => {
  it('a lone delay() takes enqueueOne; a batch, a chosen id or an eta takes enqueueJobs', async () => {
    const { echo, counts } = await openApp();
    await echo.delay(1);
    expect(counts()).toMatchObject({ enqueueOne: 1, enqueueJobs: 0 });
    await echo.bulk([[1], [2]]);
    await echo.applyAsync([3], { taskId: 'chosen-id' });
    await echo.applyAsync([4], { eta: new Date(Date.now() + 60_000) });
    expect(counts()).toMatchObject({ enqueueOne: 1, enqueueJobs: 3 });
  });

  it('with tuning.shortPaths off, every call takes the general scripts (a comparison run)', async () => {
    const { echo, counts, reserve, succeed } = await openApp({ tuning: { shortPaths: false } });
    const [result] = await Promise.all([echo.delay(1)]);
    const [delivery] = await reserve(1);
    expect(await succeed(delivery as StartedDelivery)).toMatchObject({ applied: true, record: { state: TaskStates.SUCCESS } });
    expect(await result?.wait({ timeout: 2_000 })).toBe(1);
    expect(counts()).toMatchObject({ enqueueOne: 0, enqueueJobs: 1, settleOne: 0, settleShaped: 0, settleJobs: 1 });
  });

  it('a lone outcome takes settleOne, outcomes of one shape settleShaped, a retry settleJobs', async () => {
    const { echo, store, counts, reserve, succeed } = await openApp();
    const results = await echo.bulk([[1], [2], [3], [4]]);
    const deliveries = await reserve(4);
    expect(deliveries).toHaveLength(4);
    const [first, second, third, fourth] = deliveries as [StartedDelivery, StartedDelivery, StartedDelivery, StartedDelivery];
    expect(await succeed(first)).toMatchObject({ applied: true, record: { state: TaskStates.SUCCESS, seq: 3 } });
    expect(counts()).toMatchObject({ settleOne: 1, settleShaped: 0, settleJobs: 0 });
    const together = await Promise.all([succeed(second), succeed(third)]);
    expect(together.map((r) => r.applied)).toEqual([true, true]);
    expect(counts()).toMatchObject({ settleOne: 1, settleShaped: 1, settleJobs: 0 });
    const { id, task, attempt } = fourth.message;
    const retry = await store.settle(fourth, { id, task, attempt, state: TaskStates.RETRY }, { ...fourth.message, attempt: attempt + 1 });
    expect(retry).toMatchObject({ applied: true, record: { state: TaskStates.RETRY } });
    expect(counts()).toMatchObject({ settleOne: 1, settleShaped: 1, settleJobs: 1 });
    expect(results.map((r) => r.id).sort()).toEqual(deliveries.map((d) => d.message.id).sort());
  });

  it('enqueueOne sent twice (its reply lost in a reconnect) gets the first reply and stores its message once', async () => {
    const { prefix } = await openApp();
    const send = loneEnqueue(prefix, 'call-1');
    const first = (await send()) as unknown[];
    expect(first).toEqual([[expect.any(Number), 1], []]);
    expect(await send()).toEqual(first);
    expect(await admin.zcard(brokerKeys(prefix).ready('default', TASK))).toBe(1);
    expect(await admin.get(brokerKeys(prefix).seq)).toBe('1');
  });
});
