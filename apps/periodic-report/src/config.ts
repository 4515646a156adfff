/** Settings from the environment, checked at start-up so a typo fails loudly instead of defaulting. */
export interface Config {
  port: number;
  host: string;
  reportEveryMs: number;
  simulateEveryMs: number;
  ordersPerRun: number;
  seedOrders: number;
  databaseUrl: string | undefined;
  pgliteDir: string | undefined;
  redisUrl: string | undefined;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: integer(env, 'PORT', 3001, 0, 65_535),
    host: env.HOST ?? '127.0.0.1',
    reportEveryMs: integer(env, 'REPORT_EVERY_MS', 10_000, 100, 2 ** 31 - 1),
    simulateEveryMs: integer(env, 'SIMULATE_EVERY_MS', 2_000, 100, 2 ** 31 - 1),
    ordersPerRun: integer(env, 'ORDERS_PER_RUN', 500, 0, 1_000_000),
    seedOrders: integer(env, 'SEED_ORDERS', 100_000, 0, 10_000_000),
    databaseUrl: nonEmpty(env.DATABASE_URL),
    pgliteDir: nonEmpty(env.PGLITE_DIR),
    redisUrl: nonEmpty(env.REDIS_URL),
  };
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
