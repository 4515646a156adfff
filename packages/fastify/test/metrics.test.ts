import { celeriacMetrics } from '@celeriac/prometheus';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { celeriacFastify } from '../src/index.js';
import { type TestApp, createTestApp, exposedTasks } from './helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** The value of one sample line of a Prometheus text exposition. */
function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

async function serve(t: TestApp, extra: Partial<Parameters<typeof celeriacFastify>[1]> = {}): Promise<FastifyInstance> {
  const server = Fastify();
  await server.register(celeriacFastify, { app: t.app, tasks: exposedTasks(t), ...extra });
  closers.push(async () => {
    await server.close();
    await t.app.close();
  });
  return server;
}

describe('the metrics option', () => {
  it('serves GET <prefix>/metrics with the counts of a workload run by a real worker', async () => {
    const t = createTestApp();
    const metrics = celeriacMetrics(t.app, { cacheMs: 0 });
    const server = await serve(t, { metrics, prefix: '/api' });
    await t.app.worker({ pollInterval: 10, heartbeatInterval: 50 }).start();
    for (const args of [[1, 2], [3, 4]]) expect((await server.inject({ method: 'POST', url: '/api/tasks/math.add', payload: { args } })).statusCode).toBe(202);
    expect((await server.inject({ method: 'POST', url: '/api/tasks/explode', payload: { args: ['boom'] } })).statusCode).toBe(202);
    let text = '';
    for (let i = 0; i < 200; i++) {
      text = (await server.inject({ method: 'GET', url: '/api/metrics' })).body;
      if (sample(text, 'celeriac_tasks_total{task="explode",state="FAILURE"}') === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const res = await server.inject({ method: 'GET', url: '/api/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(res.body, 'celeriac_tasks_sent_total{task="math.add",queue="default"}')).toBe(2);
    expect(sample(res.body, 'celeriac_tasks_total{task="math.add",state="SUCCESS"}')).toBe(2);
    expect(sample(res.body, 'celeriac_tasks_total{task="explode",state="FAILURE"}')).toBe(1);
    expect(sample(res.body, 'celeriac_workers_online')).toBe(1);
  });

  it('is behind the auth hook, and absent without the option', async () => {
    const t = createTestApp();
    const server = await serve(t, {
      metrics: celeriacMetrics(t.app),
      auth: async (request, reply) => {
        if (request.headers.authorization !== 'Bearer scrape') await reply.code(401).send({ error: 'unauthorized' });
      },
    });
    expect((await server.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const ok = await server.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer scrape' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('# TYPE celeriac_tasks_total counter');

    const plain = await serve(createTestApp());
    expect((await plain.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
  });

  it('refuses a metrics option that is not a metrics source, naming it', async () => {
    const t = createTestApp();
    const server = Fastify();
    closers.push(async () => {
      await server.close();
      await t.app.close();
    });
    await expect(server.register(celeriacFastify, { app: t.app, metrics: {} as never }).ready()).rejects.toThrow(/metrics/);
  });
});
