/**
 * The periodic report server: Fastify + the scheduler + a worker in one process, on PGlite and
 * the in-memory broker unless DATABASE_URL / REDIS_URL say otherwise; with RUN_WORKER=0 the
 * worker and scheduler run as `celeriac worker` / `celeriac scheduler` (app.ts). See README.md.
 */
import { Celeriac } from '@celeriac/core';
import { closeOnSignals, openDatabase, openStore } from '@celeriac/sample-support';
import { buildApp } from './build-app.js';
import { readConfig } from './config.js';
import { REFRESH_TASK } from './report/report-tasks.js';

const config = readConfig();
const { db, describe: dbName } = await openDatabase(config);
const queue = openStore(config.redisUrl);
const celeriac = new Celeriac({ store: queue.store });
const app = await buildApp({
  db,
  celeriac,
  reportEveryMs: config.reportEveryMs,
  seedOrders: config.seedOrders,
  runWorker: config.runWorker,
  simulate: config.ordersPerRun > 0 ? { everyMs: config.simulateEveryMs, ordersPerRun: config.ordersPerRun } : false,
});
const url = await app.start({ port: config.port, host: config.host });

console.log(`periodic-report on ${dbName} with the ${queue.describe}`);
if (!config.runWorker) console.log('RUN_WORKER=0: run the worker and the scheduler with pnpm worker and pnpm scheduler (celeriac worker / celeriac scheduler)');
console.log(`report refreshed every ${config.reportEveryMs} ms; ${config.ordersPerRun > 0 ? `${config.ordersPerRun} new orders every ${config.simulateEveryMs} ms` : 'no simulated orders'}`);
console.log(`listening on ${url}`);
console.log(`  GET  ${url}/report`);
console.log(`  POST ${url}/api/tasks/${REFRESH_TASK}  {"args":[]}  then GET ${url}/api/status/<id>`);

// Outermost first: no new requests, then no new runs, then running tasks finish, then the stores they use.
// A second Ctrl-C while a run drains exits at once.
closeOnSignals([app, celeriac, queue, db]);
