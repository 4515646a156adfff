import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Celeriac, type Worker } from '@celeriac/core';
import { createRedisStore } from '@celeriac/redis';
import { type RedisServer, startRedisServer } from '@celeriac/test-support';
import Fastify from 'fastify';
import { type Browser, type Page, chromium } from 'playwright-core';
import { celeriacDashboard } from '../src/index.js';
import { registerDemoTasks } from './demo-tasks.js';
import { quiet } from './helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots of every page, to look at (gitignored). */
export const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

/**
 * A deployment on a real Redis, as processes would have it: the server's app (enqueues nothing by
 * itself, mounts the dashboard at /admin/queues and, read-only, at /view) and two worker apps,
 * each with its own connection: one appending its events to the queue-wide stream, one not.
 */
export async function startDeployment() {
  const redis: RedisServer = await startRedisServer();
  const prefix = `dashboard-${process.pid}`;
  const appOn = (events: boolean) => new Celeriac({ store: createRedisStore({ connection: redis.url, prefix }), logger: quiet, events });
  const server = appOn(false);
  const producer = registerDemoTasks(server);
  const fastify = Fastify({ routerOptions: { maxParamLength: 128 } });
  await fastify.register(celeriacDashboard, { app: server, prefix: '/admin/queues', refreshInterval: 250, title: 'Celeriac demo' });
  await fastify.register(celeriacDashboard, { app: server, prefix: '/view', refreshInterval: 250, readOnly: true });
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  const origin = `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`;

  const workerApps = [appOn(true), appOn(false)];
  const workers: Worker[] = [];
  for (const [i, app] of workerApps.entries()) {
    registerDemoTasks(app);
    const worker = app.worker({ concurrency: i === 0 ? 4 : 2, heartbeatInterval: 500 });
    await worker.start();
    workers.push(worker);
  }

  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: run scripts/setup.sh --test (apt-get install chromium) or set CHROMIUM_PATH`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
  });

  return {
    server,
    producer,
    workers,
    url: `${origin}/admin/queues/`,
    readOnlyUrl: `${origin}/view/`,
    browser,
    /** A page of a laptop's size in the given colour scheme, failing the test on any script error. */
    async page(colorScheme: 'light' | 'dark' = 'light'): Promise<{ page: Page; errors: string[] }> {
      const page = await browser.newPage({ viewport: { width: 1366, height: 900 }, colorScheme });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      return { page, errors };
    },
    async close() {
      await browser.close();
      await fastify.close();
      for (const app of [...workerApps, server]) {
        await app.close();
        await (await app.connect()).close();
      }
      await redis.stop();
    },
  };
}

/** Saves a full-page screenshot under test/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  // Let the last pushed data render and transitions settle before the picture.
  // (Strings run in the page: this file is type-checked without the DOM's types.)
  await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}
