import { type RedisServer, startRedisServer } from '@celeriac/test-support';
import { Redis } from 'ioredis';
import type { RedisTarget } from './peer.js';

/** The redis-server of the run, and an admin connection to empty it between runs. */
export interface BenchRedis extends RedisTarget {
  /** `redis_version` from INFO. */
  readonly version: string;
  /** Where it came from, for the report. */
  readonly origin: string;
  flush(): Promise<void>;
  /** `used_memory` from INFO, in bytes. */
  usedMemory(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Uses `REDIS_URL` (`redis://host:port`) when set, else spawns its own `redis-server` on a free
 * loopback port without persistence. Every run flushes the server, so a `REDIS_URL` server that
 * holds data is refused unless `BENCH_FLUSH=1` says it may be emptied.
 */
export async function openBenchRedis(env: NodeJS.ProcessEnv): Promise<BenchRedis> {
  const url = env.REDIS_URL;
  let server: RedisServer | undefined;
  let target: RedisTarget;
  if (url === undefined || url === '') {
    server = await startRedisServer();
    target = { url: server.url, host: server.host, port: server.port };
  } else {
    const parsed = new URL(url);
    if (parsed.protocol !== 'redis:' || parsed.username !== '' || parsed.password !== '' || (parsed.pathname !== '' && parsed.pathname !== '/')) {
      throw new Error(`REDIS_URL must look like redis://host:port (no credentials, no database number), got ${url}`);
    }
    target = { url, host: parsed.hostname, port: Number(parsed.port || 6379) };
  }
  const admin = new Redis({ host: target.host, port: target.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await admin.connect();
    if (server === undefined && (await admin.dbsize()) > 0 && env.BENCH_FLUSH !== '1') {
      throw new Error(`REDIS_URL ${url} holds data and the benchmark flushes the server between runs: set BENCH_FLUSH=1 to allow it`);
    }
    const info = await admin.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    return {
      ...target,
      version,
      origin: server === undefined ? 'REDIS_URL' : 'spawned on a free loopback port, no persistence',
      flush: async () => {
        await admin.flushall('SYNC');
      },
      usedMemory: async () => Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1]),
      close: async () => {
        await admin.quit();
        await server?.stop();
      },
    };
  } catch (error) {
    admin.disconnect();
    await server?.stop();
    throw error;
  }
}
