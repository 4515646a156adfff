import type { TaskContext } from '@celeriac/core';
import { makeMessage } from '@celeriac/core/testing';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisApp } from './helpers/apps.js';
import { type TestRedis, deleteKeys, expireLeases, uniquePrefix, until, useRedisServer } from './helpers/redis.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

describe('revoke', () => {
  it('keeps a task revoked while no worker is up from ever starting, waiting or delayed', { timeout: 20_000 }, async () => {
    const prefix = uniquePrefix('revoke');
    const producer = redisApp({ connection: server.url, prefix });
    const consumer = redisApp({ connection: server.url, prefix });
    try {
      let ran = 0;
      const handle = producer.app.task({ name: 'rv.count' }, () => ++ran);
      consumer.app.task({ name: 'rv.count' }, () => ++ran);
      const waiting = await handle.delay();
      const delayed = await handle.applyAsync([], { countdown: 300 });
      const kept = await handle.delay();
      expect(await producer.app.revoke(waiting.id)).toBe('revoked');
      expect(await producer.app.revoke(delayed.id)).toBe('revoked');
      await consumer.app.worker({ concurrency: 2 }).start();
      await kept.wait({ timeout: 5_000 });
      // The delayed one's eta passes while the worker runs: it must not start either.
      const later = await handle.applyAsync([], { countdown: 400 });
      await later.wait({ timeout: 5_000 });
      expect(ran).toBe(2);
      await expect(waiting.wait()).rejects.toMatchObject({ code: 'REVOKED' });
      await expect(delayed.wait()).rejects.toMatchObject({ code: 'REVOKED' });
    } finally {
      await producer.close();
      await consumer.close();
      await deleteKeys(admin, prefix);
    }
  });

  it('aborts a running task in another process through its signal', { timeout: 20_000 }, async () => {
    const prefix = uniquePrefix('revoke');
    const producer = redisApp({ connection: server.url, prefix });
    const consumer = redisApp({ connection: server.url, prefix });
    try {
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      let aborted = false;
      const body = (ctx: TaskContext) =>
        new Promise<string>((resolve) => {
          started();
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
            resolve('stopped');
          });
        });
      const handle = producer.app.task({ name: 'rv.long', bind: true }, body);
      consumer.app.task({ name: 'rv.long', bind: true }, body);
      await consumer.app.worker().start();
      const result = await handle.delay();
      await running;
      await result.revoke();
      await expect(result.wait({ timeout: 5_000 })).rejects.toMatchObject({ code: 'REVOKED' });
      for (let i = 0; i < 100 && !aborted; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(aborted).toBe(true);
    } finally {
      await producer.close();
      await consumer.close();
      await deleteKeys(admin, prefix);
    }
  });
});

describe('redelivery', () => {
  it('counts deliveries across dead holders and dead-letters a task that keeps killing its workers', { timeout: 20_000 }, async () => {
    const prefix = uniquePrefix('limit');
    const { app, store, close } = redisApp({ connection: server.url, prefix });
    try {
      app.task({ name: 'lim.noop' }, () => 'ran');
      const message = makeMessage({ task: 'lim.noop' });
      await store.apply({ id: message.id, task: message.task, state: 'PENDING' });
      await store.publish([message]);
      // Two holders take it and die without settling.
      for (const expected of [1, 2]) {
        const [delivery] = await store.reserve({ queues: ['default'], tasks: ['lim.noop'], max: 1, waitMs: 1_000 });
        expect(delivery?.deliveries).toBe(expected);
        await expireLeases(admin, prefix);
      }
      await app.worker({ maxDeliveries: 2 }).start();
      await expect(app.result(message.id).wait({ timeout: 5_000 })).rejects.toMatchObject({ code: 'TASK_FAILED' });
      // The FAILURE record is stored first, then the message is dead-lettered.
      await until(async () => (await store.deadLetters()).length > 0, 5_000, 'the dead letter');
      const [dead] = await store.deadLetters();
      expect(dead).toMatchObject({ id: message.id, queue: 'default', reason: expect.stringMatching(/3/) });
      expect(await store.retryDeadLetter(message.id)).toBe(true);
      expect(await store.deadLetters()).toEqual([]);
    } finally {
      await close();
      await deleteKeys(admin, prefix);
    }
  });
});
