import { Celeriac, InvalidOptionError } from '@celeriac/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { type CeleriacDashboardOptions, DEFAULT_CELERIAC_DASHBOARD_OPTIONS, celeriacDashboard } from '../src/index.js';
import { mountPerTest, quiet } from './helpers.js';

const { mount, cleanups } = mountPerTest();

describe('registration', () => {
  it('has documented defaults', () => {
    expect(DEFAULT_CELERIAC_DASHBOARD_OPTIONS).toEqual({ readOnly: false, refreshInterval: 2_000, title: 'Celeriac' });
  });

  const app = new Celeriac({ logger: quiet });
  cleanups.push(() => app.close());
  const misuses: [string, unknown, RegExp][] = [
    ['no options', undefined, /option "app" is required/],
    ['no app', {}, /option "app" is required/],
    ['something else as app', { app: { send() {} } }, /option "app" must be a Celeriac app with the admin API \(it lacks queues, tasks, workers, schedules, deadLetters, events, revoke, result\)/],
    ['an unknown option', { app, readonly: true }, /option "readonly" is not a known option \(known: app, auth, readOnly, refreshInterval, title, prefix, logLevel, logSerializers\)/],
    ['a readOnly that is not a boolean', { app, readOnly: 'yes' }, /option "readOnly" must be true or false, got "yes"/],
    ['an auth that is not a function', { app, auth: 'secret' }, /option "auth" must be a function/],
    ['a refreshInterval of 0', { app, refreshInterval: 0 }, /option "refreshInterval" must be a positive number of milliseconds/],
    ['a refreshInterval below 100 ms', { app, refreshInterval: 10 }, /option "refreshInterval" must be at least 100 ms/],
    ['an empty title', { app, title: ' ' }, /option "title" must be a non-empty string/],
  ];
  for (const [what, options, message] of misuses) {
    it(`throws at registration, naming the option, for ${what}`, async () => {
      const server = Fastify();
      cleanups.push(() => server.close());
      const registered = server.register(celeriacDashboard, options as CeleriacDashboardOptions);
      await expect(registered).rejects.toThrow(InvalidOptionError);
      await expect(server.ready()).rejects.toThrow(message);
    });
  }
});

describe('the page', () => {
  it('serves the prebuilt page at <prefix>/ with its title, never cached, and locked to its own origin', async () => {
    const { server } = await mount({ title: 'Orders <prod>' }, '/admin/queues');
    const page = await server.inject('/admin/queues/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('<title>Orders &#60;prod&#62;</title>');
    expect(page.body).toMatch(/<script type="module" crossorigin src="\.\/assets\/index-[\w-]+\.js"><\/script>/);
  });

  it('redirects <prefix> to <prefix>/ (the page\'s URLs are relative to it), keeping the query', async () => {
    const { server } = await mount({}, '/admin/queues');
    const bare = await server.inject('/admin/queues?x=1');
    expect(bare.statusCode).toBe(302);
    expect(bare.headers.location).toBe('/admin/queues/?x=1');
  });

  it('serves the hashed assets, cached for good', async () => {
    const { server } = await mount();
    const page = (await server.inject('/dash/')).body;
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(page)?.[1] as string;
    const style = /href="\.\/(assets\/[^"]+\.css)"/.exec(page)?.[1] as string;
    const js = await server.inject(`/dash/${script}`);
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toMatch(/max-age=31536000.*immutable/);
    expect((await server.inject(`/dash/${style}`)).headers['content-type']).toMatch(/text\/css/);
    const missing = await server.inject('/dash/assets/nope.js');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  it('mounts at the root, and twice on one server under two prefixes, each with its own options', async () => {
    const app = new Celeriac({ logger: quiet });
    const server: FastifyInstance = Fastify();
    cleanups.push(async () => {
      await server.close();
      await app.close();
    });
    await server.register(celeriacDashboard, { app, prefix: '/ops', readOnly: false });
    await server.register(celeriacDashboard, { app, prefix: '/view', readOnly: true });
    server.get('/', async () => 'the app\'s own route');
    expect((await server.inject('/ops/api/config')).json()).toMatchObject({ readOnly: false });
    expect((await server.inject('/view/api/config')).json()).toMatchObject({ readOnly: true });
    // The dashboard's not-found and error handlers stay inside its prefix.
    expect((await server.inject('/')).body).toBe('the app\'s own route');

    const root = Fastify();
    cleanups.push(() => root.close());
    await root.register(celeriacDashboard, { app });
    expect((await root.inject('/')).statusCode).toBe(200);
    expect((await root.inject('/api/queues')).json()).toEqual([]);
  });
});
