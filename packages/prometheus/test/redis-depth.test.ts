import { Celeriac, type Logger } from '@celeriac/core';
import { createRedisStore } from '@celeriac/redis';
import { type RedisServer, startRedisServer } from '@celeriac/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { celeriacMetrics, serveMetrics } from '../src/index.js';
import { scrape, until } from './scrape.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server.stop();
});

describe('celeriacMetrics on Redis', () => {
  it('shows queue depth and workers online from the store, as a worker drains the queue', async () => {
    const store = createRedisStore({ connection: server.url, prefix: 'metrics-depth' });
    const app = new Celeriac({ store, logger: quiet });
    const job = app.task({ name: 'm.job', queue: 'reports' }, () => 'done');
    const metrics = celeriacMetrics(app, { cacheMs: 0 });
    const http = await serveMetrics(metrics, { port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${http.port}/metrics`;
    try {
      const runs = await job.bulk([[], [], [], [], []]);
      await job.applyAsync([], { countdown: 60_000 });
      let m = await scrape(url);
      expect(m.get('celeriac_queue_tasks{queue="reports",state="waiting"}')).toBe(5);
      expect(m.get('celeriac_queue_tasks{queue="reports",state="delayed"}')).toBe(1);
      expect(m.get('celeriac_queue_tasks{queue="reports",state="running"}')).toBe(0);
      expect(m.get('celeriac_queue_oldest_waiting_seconds{queue="reports"}')).toBeGreaterThanOrEqual(0);
      expect(m.get('celeriac_workers_online')).toBe(0);

      await app.worker({ concurrency: 2, pollInterval: 10, heartbeatInterval: 50 }).start();
      await Promise.all(runs.map((r) => r.wait({ timeout: 5_000 })));
      await until(async () => (await scrape(url)).get('celeriac_queue_tasks{queue="reports",state="running"}') === 0, 'the last settle');
      m = await scrape(url);
      expect(m.get('celeriac_queue_tasks{queue="reports",state="waiting"}')).toBe(0);
      expect(m.get('celeriac_queue_tasks{queue="reports",state="delayed"}')).toBe(1);
      expect(m.get('celeriac_queue_oldest_waiting_seconds{queue="reports"}')).toBe(0);
      expect(m.get('celeriac_workers_online')).toBe(1);
      expect(m.get('celeriac_tasks_total{state="SUCCESS",task="m.job"}')).toBe(5);
    } finally {
      await http.close();
      await app.close();
      await store.close();
    }
  });
});
