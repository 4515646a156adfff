/**
 * The demo: `npm run demo` from the repository root.
 * - No REDIS_URL: the in-memory broker, with a worker in this process.
 * - REDIS_URL set: Redis; run workers as separate processes with `pnpm --filter @celeriac/app-long-task worker`
 *   (or set INLINE_WORKER=1 to also run one here).
 * Starts one task at once (DEMO_AUTOSTART=0 to skip) so the terminal shows progress right away.
 */
import { Celeriac, consoleLogger } from '@celeriac/core';
import { LongTasks } from './long-task.js';
import { logProgress } from './progress-log.js';
import { buildServer } from './server.js';
import { storeFromEnv } from './stores.js';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const stepMs = Number(process.env.STEP_MS ?? 1_000);
const onRedis = process.env.REDIS_URL !== undefined && process.env.REDIS_URL !== '';

const app = new Celeriac({ ...storeFromEnv(), logger: consoleLogger('warn') });
const { longTask } = app.register(new LongTasks({ stepMs, random: Math.random }));
if (!onRedis || process.env.INLINE_WORKER === '1') await app.worker({ concurrency: 10 }).start();
// Log the progress of every task started from the page, as well as the first one.
const server = await buildServer(app, longTask, {
  onStarted: (result) => {
    console.log(`long_task ${result.id.slice(0, 8)} started from the page`);
    void logProgress(result);
  },
});

await server.fastify.listen({ port, host });
const origin = `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
console.log(`Celeriac long-task demo on ${onRedis ? 'Redis' : 'the in-memory broker'}: open ${origin}/ (the dashboard: ${origin}/dashboard/)`);
if (onRedis && process.env.INLINE_WORKER !== '1') console.log('Workers run separately: pnpm --filter @celeriac/app-long-task worker');

if (process.env.DEMO_AUTOSTART !== '0') {
  const first = await longTask.delay();
  console.log(`long_task ${first.id.slice(0, 8)} started (Ctrl+C to stop)`);
  void logProgress(first);
}

const shutdown = async (signal: string) => {
  console.log(`\n${signal}: shutting down`);
  await server.close();
  await app.close();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
