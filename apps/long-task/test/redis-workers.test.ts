import { type ChildProcess, fork } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Celeriac } from '@celeriac/core';
import { redisForTests } from '@celeriac/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LongTasks } from '../src/long-task.js';
import { buildServer } from '../src/server.js';
import { storeFromEnv } from '../src/stores.js';

// The documented command: `celeriac worker --app dist/app.js` (the CLI's built binary).
const CELERIAC = fileURLToPath(new URL('../node_modules/@celeriac/cli/dist/bin.js', import.meta.url));
const APP = fileURLToPath(new URL('../dist/app.js', import.meta.url));

describe('on Redis, with workers as separate processes', () => {
  let redis: Awaited<ReturnType<typeof redisForTests>>;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    redis = await redisForTests();
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await redis?.stop();
  });

  it('the server enqueues and reports while worker processes (the documented command) run the tasks', { timeout: 60_000 }, async () => {
    const env = { ...process.env, REDIS_URL: redis.url, CELERIAC_PREFIX: `long-task-${process.pid}`, STEP_MS: '10' };
    // The server alone: no worker in this process.
    const app = new Celeriac(storeFromEnv(env));
    const { longTask } = app.register(new LongTasks({ stepMs: 10, random: Math.random }));
    const server = await buildServer(app, longTask);
    await server.fastify.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(server.fastify.server.address() as AddressInfo).port}`;
    try {
      const started = await Promise.all([1, 2, 3].map(() => fetch(`${base}/longtask`, { method: 'POST' })));
      const locations = started.map((r) => r.headers.get('location') as string);
      // Nothing runs until a worker process is up.
      expect((await (await fetch(base + locations[0])).json()) as { state: string }).toMatchObject({ state: 'PENDING' });

      for (const name of ['w1', 'w2']) {
        const child = fork(CELERIAC, ['worker', '--app', APP, '--concurrency', '10', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
        children.push(child);
        await new Promise<void>((resolve, reject) => {
          let output = '';
          child.stdout?.on('data', (chunk: Buffer) => {
            output += chunk.toString();
            if (output.includes('"event":"worker-ready"')) resolve();
          });
          child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
          child.once('exit', (code) => reject(new Error(`worker ${name} exited with ${code}:\n${output}`)));
        });
      }
      const finals = await Promise.all(locations.map((location) => app.result(location.split('/').pop() as string).wait({ timeout: 30_000 })));
      expect(finals).toEqual([1, 2, 3].map(() => ({ current: 100, total: 100, status: 'Task completed!', result: 42 })));
      expect(await (await fetch(base + locations[2])).json()).toEqual({ state: 'SUCCESS', current: 100, total: 100, status: 'Task completed!', result: 42 });
    } finally {
      await server.close();
      await app.close();
      await (await app.connect()).close();
    }
  });
});
