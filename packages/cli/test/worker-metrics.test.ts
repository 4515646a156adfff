import { Celeriac, type Logger } from '@celeriac/core';
import { createRedisStore } from '@celeriac/redis';
import { redisForTests } from '@celeriac/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, startWorker } from './cli.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** The value of one sample line of a Prometheus text exposition. */
function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

// `celeriac worker --metrics-port`: the worker process serves /metrics with its own runs counted.
describe('celeriac worker --metrics-port', () => {
  let redis: Awaited<ReturnType<typeof redisForTests>>;
  let worker: Running | undefined;
  const prefix = `cli-metrics-${process.pid}`;

  beforeAll(async () => {
    redis = await redisForTests();
  });
  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await redis?.stop();
  });

  it('serves the counts of what the worker ran, and closes the server on SIGTERM', async () => {
    const started = await startWorker(['--metrics-port', '0', '--metrics-host', '127.0.0.1', '--queues', 'default'], { env: { REDIS_URL: redis.url, CELERIAC_PREFIX: prefix } });
    worker = started.worker;
    const port = started.ready.metricsPort as number;
    expect(port).toBeGreaterThan(0);
    const url = `http://127.0.0.1:${port}/metrics`;

    const store = createRedisStore({ connection: redis.url, prefix });
    const app = new Celeriac({ store, logger: quiet });
    try {
      const runs = [await app.send('add', [1, 2]), await app.send('add', [3, 4]), await app.send('fail', ['no'])];
      await Promise.allSettled(runs.map((r) => r.wait({ timeout: 5_000 })));
    } finally {
      await app.close();
      await store.close();
    }
    let text = '';
    for (let i = 0; i < 200 && sample(text, 'celeriac_tasks_total{task="fail",state="FAILURE"}') !== 1; i++) {
      text = await (await fetch(url)).text();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(sample(text, 'celeriac_tasks_total{task="add",state="SUCCESS"}')).toBe(2);
    expect(sample(text, 'celeriac_tasks_total{task="fail",state="FAILURE"}')).toBe(1);
    expect(sample(text, 'celeriac_task_runtime_seconds_count{task="add"}')).toBe(2);
    expect(sample(text, 'celeriac_workers_online')).toBe(1);

    await worker.stop('SIGTERM');
    await expect(fetch(url)).rejects.toThrow();
  });
});
