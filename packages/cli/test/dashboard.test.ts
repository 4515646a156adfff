import { createServer } from 'node:net';
import { Celeriac, type Logger } from '@celeriac/core';
import { createRedisStore } from '@celeriac/redis';
import { redisForTests } from '@celeriac/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP, type Running, celeriac, start } from './cli.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

// `celeriac dashboard`: the dashboard of the app module, served standalone.
describe('celeriac dashboard', () => {
  let redis: Awaited<ReturnType<typeof redisForTests>>;
  let env: NodeJS.ProcessEnv;
  const running: Running[] = [];
  beforeAll(async () => {
    redis = await redisForTests();
    env = { REDIS_URL: redis.url, CELERIAC_PREFIX: `cli-dashboard-${process.pid}` };
  });
  afterAll(async () => {
    for (const r of running) await r.stop('SIGKILL');
    await redis?.stop();
  });

  function dashboard(args: readonly string[]) {
    const r = start(['dashboard', '--app', APP, '--json', '--port', '0', ...args], { env });
    running.push(r);
    return r;
  }

  it('serves the page and its API for the app under a prefix, until SIGTERM', async () => {
    const store = createRedisStore({ connection: redis.url, prefix: env.CELERIAC_PREFIX as string });
    const producer = new Celeriac({ store, logger: quiet });
    try {
      await producer.send('slow', [1], { queue: 'slow' }); // the producer does not register it: its queue is given
      const served = dashboard(['--prefix', '/ops']);
      const ready = await served.waitForLine((line) => line.event === 'dashboard-ready');
      expect(ready).toMatchObject({ host: '127.0.0.1', prefix: '/ops', readOnly: false, url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/ops\/$/) });
      const url = ready.url as string;

      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>Celeriac</title>');
      expect(await (await fetch(`${url}api/queues`)).json()).toMatchObject([{ name: 'slow', waiting: 1, paused: false }]);
      const paused = await fetch(`${url}api/queues/slow/pause`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(paused.status).toBe(200);
      expect((await producer.queues.get('slow'))?.paused).toBe(true);

      const stopped = await served.stop('SIGTERM');
      expect(stopped.code).toBe(0);
      expect(stopped.stdout).toContain('"event":"dashboard-stopped"');
      await expect(fetch(url)).rejects.toThrow();
    } finally {
      await producer.close();
      await store.close();
    }
  });

  it('--read-only serves the same pages and refuses every action', async () => {
    const served = dashboard(['--read-only']);
    const ready = await served.waitForLine((line) => line.event === 'dashboard-ready');
    const url = ready.url as string;
    expect(ready.readOnly).toBe(true);
    expect(await (await fetch(`${url}api/config`)).json()).toMatchObject({ readOnly: true });
    const refused = await fetch(`${url}api/dead-letters/purge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(403);
    expect((await served.stop('SIGTERM')).code).toBe(0);
  });

  it('says so when the port is taken, and refuses a bad prefix before loading anything', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const ran = await celeriac(['dashboard', '--app', APP, '--port', String(port)], { env });
      expect(ran.code).toBe(1);
      expect(ran.stderr).toContain(`celeriac: port ${port} is in use on 127.0.0.1: pick another with --port (0 for a free one)`);
    } finally {
      taken.close();
    }
    const prefix = await celeriac(['dashboard', '--app', APP, '--prefix', 'admin/'], { env });
    expect(prefix.code).toBe(2);
    expect(prefix.stderr).toContain('Give a path such as /admin or /admin/queues');
  });
});
