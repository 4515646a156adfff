import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { redisApp } from './helpers/apps.js';
import { type TestRedis, deleteKeys, uniquePrefix, until, useRedisServer } from './helpers/redis.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A producer app and a worker app, in separate stores (as separate processes would be), on one prefix. */
function pair() {
  const prefix = uniquePrefix('queues');
  const producer = redisApp({ connection: server.url, prefix });
  const workerSide = redisApp({ connection: server.url, prefix });
  const ran: string[] = [];
  for (const side of [producer, workerSide]) {
    side.app.task({ name: 'mail.send', queue: 'mail' }, (to: string) => {
      ran.push(`mail:${to}`);
      return `sent to ${to}`;
    });
    side.app.task({ name: 'report.build', queue: 'reports' }, (n: number) => {
      ran.push(`report:${n}`);
      return n * 2;
    });
  }
  cleanups.push(async () => {
    await producer.close();
    await workerSide.close();
    await deleteKeys(admin, prefix);
  });
  return { producer: producer.app, workerApp: workerSide.app, ran };
}

describe('app.queues on Redis', () => {
  it('a paused queue holds its tasks while another queue runs on a real worker; resume runs them', { timeout: 20_000 }, async () => {
    const { producer, workerApp, ran } = pair();
    const worker = workerApp.worker({ queues: ['mail', 'reports'], pollInterval: 200 });
    await worker.start();
    await producer.queues.pause('mail');
    const held = await producer.send('mail.send', ['ada']);
    const served = await producer.send<number>('report.build', [21]);
    expect(await served.wait({ timeout: 5_000 })).toBe(42);
    await new Promise((r) => setTimeout(r, 500));
    expect(ran).toEqual(['report:21']);
    expect((await held.refresh()).state).toBe('PENDING');
    const mail = (await producer.queues.list()).find((q) => q.name === 'mail');
    expect(mail).toMatchObject({ waiting: 1, delayed: 0, running: 0, paused: true, oldestWaitingAt: expect.any(Number) });
    await producer.queues.resume('mail');
    expect(await held.wait({ timeout: 5_000 })).toBe('sent to ada');
    expect(await producer.queues.list()).toEqual([
      { name: 'mail', waiting: 0, delayed: 0, running: 0, oldestWaitingAt: null, paused: false },
      { name: 'reports', waiting: 0, delayed: 0, running: 0, oldestWaitingAt: null, paused: false },
    ]);
  });

  it('a task enqueued in the worker process itself is not handed off to its parked reserve while its queue is paused', { timeout: 20_000 }, async () => {
    const { workerApp, ran } = pair();
    const worker = workerApp.worker({ queues: ['mail'], pollInterval: 200 });
    await worker.start();
    await new Promise((r) => setTimeout(r, 300)); // the reserve parks for lack of work
    await workerApp.queues.pause('mail');
    const held = await workerApp.send('mail.send', ['bob']);
    await new Promise((r) => setTimeout(r, 500));
    expect(ran).toEqual([]);
    expect((await held.refresh()).state).toBe('PENDING');
    await workerApp.queues.resume('mail');
    await until(() => ran.length === 1, 5_000, 'the task to run after resume');
    expect(ran).toEqual(['mail:bob']);
  });

  it('purge removes waiting and delayed tasks, their records REVOKED (purged); running ones go on', { timeout: 20_000 }, async () => {
    const { producer } = pair();
    const waiting = await Promise.all([producer.send('mail.send', ['a']), producer.send('mail.send', ['b'], { countdown: 60_000 })]);
    expect((await producer.queues.list()).find((q) => q.name === 'mail')).toMatchObject({ waiting: 1, delayed: 1 });
    expect(await producer.queues.purge('mail')).toBe(2);
    for (const r of waiting) expect((await r.refresh()).record).toMatchObject({ state: 'REVOKED', meta: { reason: 'purged' } });
    expect((await producer.queues.list()).find((q) => q.name === 'mail')).toMatchObject({ waiting: 0, delayed: 0 });
    expect(await producer.queues.purge('mail')).toBe(0);
  });
});
