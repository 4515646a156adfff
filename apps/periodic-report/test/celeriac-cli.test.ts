import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { redisForTests } from '@celeriac/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The split set-up of README.md: the worker and the scheduler as `celeriac worker` / `celeriac
// scheduler` on this app's module (dist/app.js, named by celeriac.config.json), sharing Redis.
// Each process has its own PGlite here (one database per process): the worker refreshes the
// report in its own, which is enough to show it runs the app's tasks (PostgreSQL shares it in production).
const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
const BIN = createRequire(`${APP_DIR}package.json`).resolve('@celeriac/cli').replace(/index\.js$/, 'bin.js');

interface Ran { code: number | null; stdout: string; stderr: string }
function celeriac(args: readonly string[], env: NodeJS.ProcessEnv, until?: (out: string) => boolean): { done: Promise<Ran>; stop: () => Promise<unknown> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: APP_DIR, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let ready: () => void = () => undefined;
  const seen = new Promise<void>((resolve) => (ready = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (until?.(stdout)) ready();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Ran>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  // stop() resolves once the process has exited, so nothing outlives the test's Redis.
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return done;
  };
  return { done: until === undefined ? done : Promise.race([seen.then(() => ({ code: null, stdout, stderr })), done]), stop };
}

describe('periodic-report with celeriac worker and celeriac scheduler', () => {
  let redis: Awaited<ReturnType<typeof redisForTests>>;
  let env: NodeJS.ProcessEnv;
  const stops: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    redis = await redisForTests();
    env = { REDIS_URL: redis.url, SEED_ORDERS: '50', ORDERS_PER_RUN: '0', REPORT_EVERY_MS: '1000', CELERIAC_LOG: '' };
  });
  afterAll(async () => {
    await Promise.all(stops.map((stop) => stop()));
    await redis?.stop();
  });

  it('the app module refuses to start without REDIS_URL, saying why (exit 3)', async () => {
    const ran = await celeriac(['inspect', 'registered'], { REDIS_URL: '' }).done;
    expect(ran.code).toBe(3);
    expect(ran.stderr).toContain('REDIS_URL is not set: celeriac worker and celeriac scheduler run beside the server (RUN_WORKER=0 pnpm start)');
  });

  // Each process opens its own PGlite: slow on a loaded machine.
  it('celeriac worker runs report.refresh, and celeriac scheduler enqueues it on time', { timeout: 120_000 }, async () => {
    const worker = celeriac(['worker', '--json'], env, (out) => out.includes('"worker-ready"'));
    stops.push(worker.stop);
    expect((await worker.done).stdout).toContain('"concurrency":4'); // from celeriac.config.json
    const refreshed = await celeriac(['call', 'report.refresh', '--wait', '--json', '--no-progress'], env).done;
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(JSON.parse(refreshed.stdout)).toMatchObject({ task: 'report.refresh', state: 'SUCCESS' });

    const scheduler = celeriac(['scheduler', '--json'], env, (out) => out.includes('"scheduler-ready"'));
    stops.push(scheduler.stop);
    expect((await scheduler.done).stdout).toContain('"task":"report.refresh"');
    let lastRunAt: number | null = null;
    // Each `celeriac` here opens its own PGlite (about a second): poll slowly.
    for (let i = 0; i < 20 && lastRunAt === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const listed = JSON.parse((await celeriac(['inspect', 'scheduled', '--json'], env).done).stdout) as { schedules: { task: string; lastRunAt: number | null }[] };
      lastRunAt = listed.schedules.find((s) => s.task === 'report.refresh')?.lastRunAt ?? null;
    }
    expect(lastRunAt).toEqual(expect.any(Number));
  });
});
