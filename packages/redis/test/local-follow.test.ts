import type { TaskContext } from '@celeriac/core';
import { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { brokerKeys } from '../src/internal/keys.js';
import { SCRIPTS } from '../src/internal/scripts.js';
import { redisApp } from './helpers/apps.js';
import { type TestRedis, countScriptCalls, deleteKeys, uniquePrefix, useCleanups, useRedisServer } from './helpers/redis.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});

const cleanups = useCleanups();

/** A prefix of its own for one test, its keys deleted after it. */
function testPrefix(): string {
  const prefix = uniquePrefix('follow');
  cleanups.push(() => deleteKeys(admin, prefix));
  return prefix;
}

/** An app on a connection of ours that counts its record reads and reserves. */
function workerApp(prefix: string) {
  const client = new Redis(server.url);
  const reads = countScriptCalls(client, SCRIPTS.readRecord);
  const reserves = countScriptCalls(client, SCRIPTS.reserveJobs);
  const opened = redisApp({ connection: client, prefix });
  cleanups.push(async () => {
    await opened.close();
    client.disconnect();
  });
  /** Starts a worker and waits until it sleeps for lack of work: the app's next task is handed to it. */
  const startIdleWorker = async () => {
    const worker = opened.app.worker({ concurrency: 1 });
    await worker.start();
    await vi.waitFor(() => expect(reserves()).toBeGreaterThan(0));
    await new Promise((resolve) => setTimeout(resolve, 50)); // past its one look, asleep
    return worker;
  };
  return { ...opened, reads, startIdleWorker };
}

/** A promise the test resolves, resolved at cleanup too: a failed assertion never leaves a worker stuck on it. */
function openGate() {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  cleanups.unshift(async () => release());
  return { gate, release };
}

/** Subscribers of a task's event channel, in Redis. */
async function subscribersOf(prefix: string, id: string): Promise<number> {
  const [, count] = (await admin.pubsub('NUMSUB', `{${prefix}}:ev:${id}`)) as [string, number];
  return count;
}

describe('a waiter on a task that its own enqueue handed to a worker of the process', () => {
  it('follows it without Redis: no subscription, no read, and still gets its states in order', async () => {
    const prefix = testPrefix();
    const opened = workerApp(prefix);
    const { gate, release } = openGate();
    let running = false;
    const slow = opened.app.task({ name: 'follow.slow', bind: true }, async (ctx: TaskContext, x: number) => {
      await ctx.updateState('PROGRESS', { half: true });
      running = true;
      await gate;
      return x * 2;
    });
    await opened.startIdleWorker();

    const result = await slow.delay(21);
    await vi.waitFor(() => expect(running).toBe(true));
    const seen: string[] = [];
    const following = (async () => {
      for await (const record of result.updates()) seen.push(record.state);
    })();
    const waiting = result.wait({ timeout: 5_000 });
    await vi.waitFor(() => expect(seen).toEqual(['PROGRESS']));
    expect(await subscribersOf(prefix, result.id)).toBe(0);

    release();
    expect(await waiting).toBe(42);
    await following;
    expect(seen).toEqual(['PROGRESS', 'SUCCESS']);
    expect(opened.reads()).toBe(0);
    expect(await subscribersOf(prefix, result.id)).toBe(0);
  });

  it('goes through Redis once the run ends without an outcome, and hears the process that finishes it', async () => {
    const prefix = testPrefix();
    const first = workerApp(prefix);
    const second = workerApp(prefix);
    const { gate, release } = openGate();
    const attempts: number[] = [];
    const flaky = (opened: typeof first) =>
      opened.app.task({ name: 'follow.flaky', bind: true, retries: 1 }, async (ctx: TaskContext) => {
        attempts.push(ctx.attempt);
        if (ctx.attempt === 1) {
          await gate;
          ctx.retry({ countdown: 300 });
        }
        return `attempt ${ctx.attempt}`;
      });
    const onFirst = flaky(first);
    flaky(second);
    const firstWorker = await first.startIdleWorker();

    const result = await onFirst.delay();
    await vi.waitFor(() => expect(attempts).toEqual([1]));
    const waiting = result.wait({ timeout: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await subscribersOf(prefix, result.id)).toBe(0); // followed here while it runs here
    // The first attempt ends with a retry, and this process stops working before the second.
    release();
    await vi.waitFor(async () => expect(await subscribersOf(prefix, result.id)).toBe(1));
    await firstWorker.close();
    await second.app.worker({ concurrency: 1 }).start();

    expect(await waiting).toBe('attempt 2');
    expect(attempts).toEqual([1, 2]);
    expect(await second.store.size('default')).toBe(0);
    expect(await admin.zcard(brokerKeys(prefix).leases)).toBeLessThanOrEqual(1); // the encoding member at most
  });

  it('goes through Redis as soon as the task is revoked elsewhere, though its run goes on', async () => {
    const prefix = testPrefix();
    const runner = workerApp(prefix);
    const other = workerApp(prefix);
    const { gate, release } = openGate();
    let running = false;
    // Deaf to its abort signal: only the gate ends it.
    const stubborn = runner.app.task({ name: 'follow.stubborn' }, async () => {
      running = true;
      await gate;
      return 'done';
    });
    await runner.startIdleWorker();

    const result = await stubborn.delay();
    await vi.waitFor(() => expect(running).toBe(true));
    const waiting = result.wait({ timeout: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await subscribersOf(prefix, result.id)).toBe(0);

    expect(await other.app.revoke(result.id)).toBe('revoked');
    await expect(waiting).rejects.toThrow(/revoked/i);
    expect(await runner.store.get(result.id)).toMatchObject({ state: 'REVOKED' });
  });
});
