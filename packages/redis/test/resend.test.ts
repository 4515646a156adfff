import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { type RedisStore, createRedisStore } from '../src/index.js';
import { makeMessage } from '@celeriac/core/testing';
import { backendKeys, brokerKeys } from '../src/internal/keys.js';
import { PRIORITY_UNIT, publishArgs, storedMessage } from '../src/internal/message-fields.js';
import { applyArgs, batchTokenOf, updateSourcesArg } from '../src/internal/record-codec.js';
import { SCRIPTS, runScript } from '../src/internal/scripts.js';
import { type TestRedis, deleteKeys, uniquePrefix, useRedisServer } from './helpers/redis.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

/** A fresh store under a unique prefix, and a raw client, to send calls as ioredis would resend them. */
async function withStore(run: (env: { prefix: string; client: Redis; store: RedisStore }) => Promise<void>): Promise<void> {
  const prefix = uniquePrefix('resend');
  const store = createRedisStore({ connection: server.url, prefix });
  const client = new Redis(server.url);
  try {
    await run({ prefix, client, store });
  } finally {
    client.disconnect();
    await store.close();
    await deleteKeys(admin, prefix);
  }
}

/** applyUpdates-9.lua's list bounds (taskListLimit, taskListTtl), after the record arguments. */
const LIST_BOUNDS = [10_000, 86_400_000];

describe('a call sent twice (its reply lost in a reconnect)', () => {
  it('runs once: the second send gets the first reply, even after a worker moved the record on', async () => {
    await withStore(async ({ prefix, store, client }) => {
      const keys = backendKeys(prefix);
      const update = { id: 'task-1', task: 't.x', state: 'PENDING', attempt: 1, create: true } as const;
      // The exact arguments the backend sends for this creation, sent twice as ioredis would resend them.
      const args = [keys.recordPrefix, keys.eventPrefix, 60_000, ...applyArgs([{ update, sources: updateSourcesArg(update) as string }])];
      const call = () => runScript(client, SCRIPTS.applyUpdates, [keys.record(update.id), keys.bodies, keys.run, keys.replay(batchTokenOf(args)), keys.leases, ...keys.taskLists, keys.meta], [...args, ...LIST_BOUNDS]);
      const first = (await call()) as unknown[];
      expect(first[1]).toBe(1); // created at seq 1
      // In between, a worker starts the task.
      expect(await store.apply({ id: 'task-1', state: 'STARTED' })).toMatchObject({ applied: true, record: { seq: 2 } });
      const resent = (await call()) as unknown[];
      expect(resent).toEqual(first); // not "already in use": the same answer as the first time
      expect(await store.get('task-1')).toMatchObject({ state: 'STARTED', seq: 2 }); // and nothing changed
    });
  });

  it('applies once even when the kept reply is gone: each record knows the update that wrote it', async () => {
    await withStore(async ({ prefix, store, client }) => {
      const keys = backendKeys(prefix);
      for (const id of ['task-a', 'task-b']) await store.apply({ id, task: 't.x', state: 'PENDING', attempt: 1, create: true });
      const updates = ['task-a', 'task-b'].map((id) => ({ update: { id, state: 'STARTED' } as const, sources: updateSourcesArg({ state: 'STARTED' }) as string }));
      const args = [keys.recordPrefix, keys.eventPrefix, 60_000, ...applyArgs(updates)];
      const call = () => runScript(client, SCRIPTS.applyUpdates, [keys.record('task-a'), keys.bodies, keys.run, keys.replay(batchTokenOf(args)), keys.leases, ...keys.taskLists, keys.meta], [...args, ...LIST_BOUNDS]);
      const keptBefore = new Set(await admin.keys(`{${prefix}}:replay:*`));
      const first = (await call()) as unknown[];
      expect(first.slice(1, 3)).toEqual([2, 2]);
      // The kept reply expires (or is lost): only the records' tokens can tell the resend.
      const kept = (await admin.keys(`{${prefix}}:replay:*`)).filter((key) => !keptBefore.has(key));
      expect(kept).toHaveLength(1);
      await admin.del(...kept);
      const resent = (await call()) as unknown[];
      expect(resent.slice(1)).toEqual(first.slice(1)); // applied, at the same seqs: not STARTED again at 3
      for (const id of ['task-a', 'task-b']) expect(await store.get(id)).toMatchObject({ state: 'STARTED', seq: 2 });
    });
  });

  it('keeps no reply for a batch of terminal updates: its resend is answered from the records', async () => {
    await withStore(async ({ prefix, store, client }) => {
      const keys = backendKeys(prefix);
      for (const id of ['task-a', 'task-b']) {
        await store.apply({ id, task: 't.x', state: 'PENDING', attempt: 1, create: true });
        await store.apply({ id, state: 'STARTED' });
      }
      const updates = [
        { update: { id: 'task-a', state: 'SUCCESS', result: 42 } as const, sources: updateSourcesArg({ state: 'SUCCESS' }) as string },
        { update: { id: 'task-b', state: 'FAILURE', error: { type: 'Error', message: 'no' } } as const, sources: updateSourcesArg({ state: 'FAILURE' }) as string },
      ];
      const args = [keys.recordPrefix, keys.eventPrefix, 60_000, ...applyArgs(updates)];
      expect(args.at(-1)).toBe('0'); // no reply to keep
      const call = () => runScript(client, SCRIPTS.applyUpdates, [keys.record('task-a'), keys.bodies, keys.run, keys.replay(batchTokenOf(args)), keys.leases, ...keys.taskLists, keys.meta], [...args, ...LIST_BOUNDS]);
      const keptBefore = new Set(await admin.keys(`{${prefix}}:replay:*`));
      const first = (await call()) as unknown[];
      expect(first.slice(1, 3)).toEqual([3, 3]);
      expect((await admin.keys(`{${prefix}}:replay:*`)).filter((key) => !keptBefore.has(key))).toEqual([]);
      const resent = (await call()) as unknown[];
      expect(resent.slice(1)).toEqual(first.slice(1)); // applied, at the same seqs: not refused, not applied again
      expect(await store.get('task-a')).toMatchObject({ state: 'SUCCESS', seq: 3, result: 42 });
      expect(await store.get('task-b')).toMatchObject({ state: 'FAILURE', seq: 3 });
      // A batch with any other state still keeps its reply.
      const progress = [{ update: { id: 'task-c', task: 't.x', state: 'PENDING', attempt: 1, create: true } as const, sources: updateSourcesArg({ state: 'PENDING', create: true }) as string }];
      expect(applyArgs(progress).at(-1)).toBe('1');
    });
  });

  it('publishes once: a resent publish does not put back a message a worker has already taken', async () => {
    await withStore(async ({ prefix, store, client }) => {
      const k = brokerKeys(prefix);
      const message = makeMessage();
      const args = [k.wakePrefix, PRIORITY_UNIT, 'test', ...publishArgs(k, [storedMessage(message)])];
      const call = () => runScript(client, SCRIPTS.publishJobs, [k.seq, k.revoked, k.body, k.meta, k.dlv, k.routes, k.replay('call-token-1')], args);
      expect(await call()).toBe(1);
      const [taken] = await store.reserve({ queues: ['default'], tasks: ['test.noop'], max: 10, waitMs: 0 });
      expect(taken?.message.id).toBe(message.id);
      expect(await call()).toBe(1); // the first reply again
      expect(await store.reserve({ queues: ['default'], tasks: ['test.noop'], max: 10, waitMs: 0 })).toEqual([]); // no second copy
    });
  });
});
