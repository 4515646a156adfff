/**
 * The bulk-ingest server: Fastify + a worker in one process, on PGlite and the in-memory broker
 * unless DATABASE_URL / REDIS_URL say otherwise; with RUN_WORKER=0 inserts run in `celeriac
 * worker` processes (app.ts). See README.md.
 */
import { Celeriac } from '@celeriac/core';
import { closeOnSignals, openDatabase } from '@celeriac/sample-support';
import { buildApp } from './build-app.js';
import { readConfig } from './config.js';
import { openIngestStore } from './queue/open-stores.js';

const config = readConfig();
const { db, describe: dbName } = await openDatabase(config);
const queue = openIngestStore(config.redisUrl);
const celeriac = new Celeriac({ store: queue.store });
const app = await buildApp({ db, celeriac, rateLimit: config.rateLimit, concurrency: config.concurrency, runWorker: config.runWorker });
const url = await app.start({ port: config.port, host: config.host });

console.log(`bulk-ingest on ${dbName} with the ${queue.describe}; inserts limited to ${config.rateLimit}`);
if (!config.runWorker) console.log('RUN_WORKER=0: run inserts with pnpm worker (celeriac worker), as many as you like');
console.log(`listening on ${url}`);
console.log(`  open ${url}/ for the progress page`);
console.log(`  POST ${url}/ingest  {"count":10000}  then GET ${url}/ingest/<batchId>`);

// Outermost first: no new requests, then running inserts finish, then the stores they use.
// Inserts still queued stay in Redis for the next start; the in-memory broker loses them.
// A second Ctrl-C while running inserts drain exits at once.
closeOnSignals([app, celeriac, queue, db]);
