/**
 * The app as a worker process loads it: `REDIS_URL=redis://… pnpm --filter @celeriac/app-long-task worker`
 * runs `celeriac worker --app dist/app.js`. Start as many as you like; SIGTERM lets running tasks
 * finish (or hands them back) before the process exits.
 */
import { Celeriac } from '@celeriac/core';
import { LongTasks } from './long-task.js';
import { storeFromEnv } from './stores.js';

if (process.env.REDIS_URL === undefined || process.env.REDIS_URL === '') {
  throw new Error('set REDIS_URL (e.g. redis://127.0.0.1:6379): a separate worker needs a shared broker. Without Redis, `npm run demo` runs its own worker.');
}
export const app = new Celeriac(storeFromEnv());
app.register(new LongTasks({ stepMs: Number(process.env.STEP_MS ?? 1_000), random: Math.random }));
