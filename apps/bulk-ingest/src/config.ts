import type { RateLimitOption } from '@celeriac/core';
import { envInteger, nonEmpty, readServerConfig, type ServerConfig } from '@celeriac/sample-support';

/** Settings from the environment, checked at start-up so a typo fails loudly instead of defaulting. */
export interface Config extends ServerConfig {
  rateLimit: RateLimitOption & string;
  concurrency: number;
  /** RUN_WORKER=0: inserts run in `celeriac worker` processes (app.ts) instead of in the server. */
  runWorker: boolean;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    ...readServerConfig(env, 3002),
    rateLimit: rate(env, 'INGEST_RATE', '500/s'),
    concurrency: envInteger(env, 'WORKER_CONCURRENCY', 16, 1, 1_000),
    runWorker: envInteger(env, 'RUN_WORKER', 1, 0, 1) === 1,
  };
}

function rate(env: NodeJS.ProcessEnv, name: string, fallback: RateLimitOption & string): RateLimitOption & string {
  const raw = nonEmpty(env[name])?.trim();
  if (raw === undefined) return fallback;
  if (!/^[1-9]\d*\/[smh]$/.test(raw)) throw new TypeError(`${name} must look like "500/s", "1000/m" or "20000/h", got ${JSON.stringify(raw)}`);
  return raw as RateLimitOption & string;
}
