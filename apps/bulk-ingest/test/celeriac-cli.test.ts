import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { redisForTests } from '@celeriac/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The split set-up of README.md: inserts run in `celeriac worker` processes on this app's module
// (dist/app.js, named by celeriac.config.json), sharing Redis with the server.
const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
const BIN = createRequire(`${APP_DIR}package.json`).resolve('@celeriac/cli').replace(/index\.js$/, 'bin.js');

interface Ran { code: number | null; stdout: string; stderr: string }
function celeriac(args: readonly string[], env: NodeJS.ProcessEnv): { exited: Promise<Ran>; ready: Promise<string>; stop: () => void } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: APP_DIR, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let firstLine: (line: string) => void = () => undefined;
  const ready = new Promise<string>((resolve) => (firstLine = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('\n')) firstLine(stdout.slice(0, stdout.indexOf('\n')));
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Ran>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  return { exited, ready, stop: () => child.kill('SIGTERM') };
}

describe('bulk-ingest with celeriac worker', () => {
  let redis: Awaited<ReturnType<typeof redisForTests>>;
  let stop: (() => void) | undefined;

  beforeAll(async () => {
    redis = await redisForTests();
  });
  afterAll(async () => {
    stop?.();
    await redis?.stop();
  });

  it('the app module refuses to start without REDIS_URL, saying why (exit 3)', async () => {
    const ran = await celeriac(['worker'], { REDIS_URL: '' }).exited;
    expect(ran.code).toBe(3);
    expect(ran.stderr).toContain('REDIS_URL is not set: celeriac worker runs beside the server (RUN_WORKER=0 pnpm start)');
  });

  it('celeriac worker serves the insert task with the config\'s concurrency', async () => {
    const env = { REDIS_URL: redis.url };
    const worker = celeriac(['worker', '--json'], env);
    stop = worker.stop;
    const ready = JSON.parse(await worker.ready) as { event: string; worker: string; concurrency: number; tasks: string[] };
    expect(ready).toMatchObject({ event: 'worker-ready', concurrency: 16, tasks: ['ingest.insertRow'] });
    const registered = await celeriac(['inspect', 'registered', '--json'], env).exited;
    expect(registered.code, registered.stderr).toBe(0);
    expect(JSON.parse(registered.stdout)).toMatchObject({ tasks: [{ name: 'ingest.insertRow', servedBy: ready.worker }] });
    worker.stop();
    expect((await worker.exited).code).toBe(0);
  });
});
