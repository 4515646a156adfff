import { randomUUID } from 'node:crypto';
import { redisForTests } from '@celeriac/test-support';
import { type Command, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { brokerKeys, keyPattern } from '../../src/internal/keys.js';
import { ScriptCommand } from '../../src/internal/script-command.js';
import type { ScriptDefinition } from '../../src/internal/scripts.generated.js';

/** A prefix no other test uses, so tests share a server without sharing keys. */
export function uniquePrefix(label = 't'): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

/** The prefix of each store a test file made, for the conformance suite's hooks, which get the store alone. */
export function prefixRegistry(): { remember<T extends object>(store: T, prefix: string): T; prefixOf(store: object): string } {
  const prefixes = new WeakMap<object, string>();
  return {
    remember(store, prefix) {
      prefixes.set(store, prefix);
      return store;
    },
    prefixOf(store) {
      const prefix = prefixes.get(store);
      if (prefix === undefined) throw new Error('store made outside this file');
      return prefix;
    },
  };
}

/** Deletes every key of a prefix. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', keyPattern(prefix), 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/** Ends every lease of a prefix now, as if their holders had died (not the zset's encoding member, which is no lease). */
export async function expireLeases(redis: Redis, prefix: string): Promise<void> {
  const leases = brokerKeys(prefix).leases;
  const members = (await redis.zrange(leases, '0', '-1')).filter((m) => /^\d+:/.test(m));
  if (members.length > 0) await redis.zadd(leases, 'XX', ...members.flatMap((m) => ['0', m]));
}

/** Counts the calls of `script` that `client` sends from now on (EVALSHA, and EVAL after a NOSCRIPT). */
export function countScriptCalls(client: Redis, script: ScriptDefinition): () => number {
  let calls = 0;
  const send = client.sendCommand.bind(client);
  client.sendCommand = (command: Command, stream?: Parameters<Redis['sendCommand']>[1]) => {
    if (command instanceof ScriptCommand && command.script === script) calls++;
    return send(command, stream);
  };
  return () => calls;
}

/** A test file's cleanups: each test adds its own (`push`; `unshift` to run one first), run in order after it. */
export function useCleanups(): (() => Promise<void>)[] {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  return cleanups;
}

/** Polls `check` until it holds or `timeoutMs` passes; for state that has no event to await. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The server a test file talks to: its own, or the one at REDIS_URL. */
export type TestRedis = Awaited<ReturnType<typeof redisForTests>>;

/**
 * A redis-server for this test file (its own on a free port, or REDIS_URL) and an admin
 * connection, started before the file's tests and stopped after them.
 */
export function useRedisServer(ready: (server: TestRedis, admin: Redis) => void): void {
  let server: TestRedis | undefined;
  let admin: Redis | undefined;
  beforeAll(async () => {
    const started = await redisForTests();
    const connection = new Redis(started.url);
    server = started;
    admin = connection;
    ready(started, connection);
  });
  afterAll(async () => {
    await admin?.quit();
    await server?.stop();
  });
}
