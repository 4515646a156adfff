import type { RateLimitOption } from '@celeriac/core';

/** Settings from the environment, checked at start-up so a typo fails loudly instead of defaulting. */
export interface Config {
  port: number;
  host: string;
  rateLimit: RateLimitOption & string;
  concurrency: number;
  databaseUrl: string | undefined;
  pgliteDir: string | undefined;
  redisUrl: string | undefined;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: integer(env, 'PORT', 3002, 0, 65_535),
    host: env.HOST ?? '127.0.0.1',
    rateLimit: rate(env, 'INGEST_RATE', '500/s'),
    concurrency: integer(env, 'WORKER_CONCURRENCY', 16, 1, 1_000),
    databaseUrl: nonEmpty(env.DATABASE_URL),
    pgliteDir: nonEmpty(env.PGLITE_DIR),
    redisUrl: nonEmpty(env.REDIS_URL),
  };
}

function rate(env: NodeJS.ProcessEnv, name: string, fallback: RateLimitOption & string): RateLimitOption & string {
  const raw = nonEmpty(env[name])?.trim();
  if (raw === undefined) return fallback;
  if (!/^[1-9]\d*\/[smh]$/.test(raw)) throw new TypeError(`${name} must look like "500/s", "1000/m" or "20000/h", got ${JSON.stringify(raw)}`);
  return raw as RateLimitOption & string;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new TypeError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
