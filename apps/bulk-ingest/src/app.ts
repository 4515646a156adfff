/**
 * The app module for `celeriac worker`, to run inserts in worker processes of their own beside a
 * server started with RUN_WORKER=0 (see README.md). They share the queue (and the rate limit)
 * through Redis and the rows through PostgreSQL, so REDIS_URL is required.
 */
import { Celeriac } from '@celeriac/core';
import { openDatabase } from '@celeriac/sample-support';
import { readConfig } from './config.js';
import { defineIngestTasks } from './ingest/ingest-tasks.js';
import { openIngestStore } from './queue/open-stores.js';
import { migrate } from './schema.js';

const config = readConfig();
if (config.redisUrl === undefined) {
  throw new Error('REDIS_URL is not set: celeriac worker runs beside the server (RUN_WORKER=0 pnpm start) and shares its queue through Redis. Set REDIS_URL (and DATABASE_URL, so the workers insert where the server counts), or run pnpm start alone, which runs everything in one process.');
}
const { db } = await openDatabase(config);
await migrate(db);

export const app = new Celeriac({ store: openIngestStore(config.redisUrl).store });
const IngestTasks = defineIngestTasks({ rateLimit: config.rateLimit, retryDelayMs: 500 });
app.register(new IngestTasks(db));
