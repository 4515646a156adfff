/**
 * A worker process for the demo on Redis: `REDIS_URL=redis://… pnpm --filter @celeriac/app-long-task worker`.
 * Start as many as you like; SIGTERM lets running tasks finish (or hands them back) before exiting.
 */
import { Celeriac } from '@celeriac/core';
import { LongTasks } from './long-task.js';
import { storeFromEnv } from './stores.js';

if (process.env.REDIS_URL === undefined || process.env.REDIS_URL === '') {
  console.error('Set REDIS_URL (e.g. redis://127.0.0.1:6379): a separate worker needs a shared broker. Without Redis, the demo runs its own worker.');
  process.exit(2);
}
const app = new Celeriac(storeFromEnv());
app.register(new LongTasks({ stepMs: Number(process.env.STEP_MS ?? 1_000), random: Math.random }));
const worker = app.worker({ concurrency: Number(process.env.CONCURRENCY ?? 10), shutdownTimeout: 30_000 });
await worker.start();
console.log(`worker ${process.pid} consuming long_task on ${process.env.REDIS_URL}`);
const stop = async () => {
  await app.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
