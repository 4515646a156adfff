/**
 * The app module for `celeriac worker` and `celeriac scheduler`, to run the worker and the
 * scheduler in their own processes beside a server started with RUN_WORKER=0 (see README.md).
 * They share the queue through Redis and the orders through PostgreSQL, so REDIS_URL is required.
 */
import { Celeriac } from '@celeriac/core';
import { openDatabase, openStore } from '@celeriac/sample-support';
import { readConfig } from './config.js';
import { registerTasks } from './register-tasks.js';
import { migrate } from './schema.js';

const config = readConfig();
if (config.redisUrl === undefined) {
  throw new Error('REDIS_URL is not set: celeriac worker and celeriac scheduler run beside the server (RUN_WORKER=0 pnpm start) and share its queue through Redis. Set REDIS_URL (and DATABASE_URL, so the worker writes the report where the server reads it), or run pnpm start alone, which runs everything in one process.');
}
const { db } = await openDatabase(config);
await migrate(db);

export const app = new Celeriac({ store: openStore(config.redisUrl).store });
registerTasks(app, {
  db,
  reportEveryMs: config.reportEveryMs,
  simulate: config.ordersPerRun > 0 ? { everyMs: config.simulateEveryMs, ordersPerRun: config.ordersPerRun } : false,
});
