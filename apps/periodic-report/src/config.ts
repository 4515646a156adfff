import { envInteger, readServerConfig, type ServerConfig } from '@celeriac/sample-support';

/** Settings from the environment, checked at start-up so a typo fails loudly instead of defaulting. */
export interface Config extends ServerConfig {
  reportEveryMs: number;
  simulateEveryMs: number;
  ordersPerRun: number;
  seedOrders: number;
  /** RUN_WORKER=0: the worker and scheduler run as `celeriac worker` / `celeriac scheduler` instead of in the server. */
  runWorker: boolean;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    ...readServerConfig(env, 3001),
    reportEveryMs: envInteger(env, 'REPORT_EVERY_MS', 10_000, 100, 2 ** 31 - 1),
    simulateEveryMs: envInteger(env, 'SIMULATE_EVERY_MS', 2_000, 100, 2 ** 31 - 1),
    ordersPerRun: envInteger(env, 'ORDERS_PER_RUN', 500, 0, 1_000_000),
    seedOrders: envInteger(env, 'SEED_ORDERS', 100_000, 0, 10_000_000),
    runWorker: envInteger(env, 'RUN_WORKER', 1, 0, 1) === 1,
  };
}
