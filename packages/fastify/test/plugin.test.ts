import { type Celeriac, InvalidOptionError } from '@celeriac/core';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CeleriacFastifyOptions, DEFAULT_CELERIAC_FASTIFY_OPTIONS, celeriacFastify } from '../src/index.js';
import { type TestApp, createServer, createTestApp, exposedTasks, queueSize } from './helpers.js';

let t: TestApp;
const servers: FastifyInstance[] = [];

beforeEach(() => {
  t = createTestApp();
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await t.app.close();
});

async function server(extra: Partial<CeleriacFastifyOptions> = {}): Promise<FastifyInstance> {
  const s = await createServer(t, extra);
  servers.push(s);
  return s;
}

/** Registers with options the types would refuse, as plain JavaScript callers can. */
async function registerUntyped(options: unknown): Promise<void> {
  const s = Fastify();
  servers.push(s);
  await s.register(celeriacFastify, options as CeleriacFastifyOptions);
}

describe('registration', () => {
  it('has documented defaults', () => {
    expect(DEFAULT_CELERIAC_FASTIFY_OPTIONS).toEqual({ prefix: '', tasks: [], bodyLimit: 1_048_576 });
  });

  it('decorates fastify.celeriac with the app, typed', async () => {
    const s = await server();
    const app: Celeriac = s.celeriac;
    expect(app).toBe(t.app);
  });

  it('may be registered twice for one app (two prefixes), but not for two apps', async () => {
    const s = Fastify();
    servers.push(s);
    await s.register(celeriacFastify, { app: t.app, prefix: '/v1' });
    await s.register(celeriacFastify, { app: t.app, prefix: '/v2' });
    const other = createTestApp();
    await expect(s.register(celeriacFastify, { app: other.app, prefix: '/v3' })).rejects.toThrow(/option "app" differs from the app already decorated/);
    await other.app.close();
  });

  const misuses: [string, (a: TestApp) => unknown, RegExp][] = [
    ['no options', () => undefined, /option "app" is required/],
    ['an unknown option', (a) => ({ app: a.app, prefx: '/api' }), /option "prefx" is not a known option \(known: app, prefix, tasks, auth, bodyLimit, metrics\)/],
    ['something else as app', () => ({ app: { send() {} } }), /option "app" must be a Celeriac app \(it lacks result, revoke\)/],
    ['a prefix without a leading slash', (a) => ({ app: a.app, prefix: 'api' }), /option "prefix" must be '' or a path such as '\/api'/],
    ['a prefix with a trailing slash', (a) => ({ app: a.app, prefix: '/api/' }), /option "prefix" must be/],
    ['a prefix with a parameter', (a) => ({ app: a.app, prefix: '/:tenant' }), /option "prefix" must be/],
    ['a non-function auth', (a) => ({ app: a.app, auth: 'secret' }), /option "auth" must be a function/],
    ['a zero bodyLimit', (a) => ({ app: a.app, bodyLimit: 0 }), /option "bodyLimit" must be a positive integer/],
    ['tasks that are not an array', (a) => ({ app: a.app, tasks: { 'math.add': {} } }), /option "tasks" must be an array/],
    ['a task entry without args', (a) => ({ app: a.app, tasks: [{ task: a.handles.add }] }), /option "tasks\[0\].args" is required: give a JSON schema of the argument array, or 'any'/],
    ['args not describing an array', (a) => ({ app: a.app, tasks: [{ task: a.handles.add, args: { type: 'object' } }] }), /option "tasks\[0\].args" must describe the argument array/],
    ['an invalid schema', (a) => ({ app: a.app, tasks: [{ task: a.handles.add, args: { type: 'array', minItems: 'two' } }] }), /option "tasks\[0\].args" is not a valid JSON schema/],
    ['a misspelt schema keyword', (a) => ({ app: a.app, tasks: [{ task: a.handles.add, args: { type: 'array', maxitems: 2 } }] }), /option "tasks\[0\].args" is not a valid JSON schema: strict mode: unknown keyword: "maxitems"/],
    ['a task without a usable name', (a) => ({ app: a.app, tasks: [{ task: { name: 'a b' }, args: 'any' }] }), /option "tasks\[0\].task" must be a task handle or a task name/],
    ['a task listed twice', (a) => ({ app: a.app, tasks: [{ task: a.handles.add, args: 'any' }, { task: 'math.add', args: 'any' }] }), /option "tasks\[1\].task" exposes "math.add" a second time/],
    ['an unknown task entry key', (a) => ({ app: a.app, tasks: [{ task: a.handles.add, args: 'any', schema: {} }] }), /option "tasks\[0\].schema" is not a known option/],
    ['an unknown default', (a) => ({ app: a.app, tasks: [{ task: a.handles.add, args: 'any', defaults: { taskId: 'x' } }] }), /option "tasks\[0\].defaults.taskId" is not a known option/],
    ['a default priority out of range', (a) => ({ app: a.app, tasks: [{ task: a.handles.add, args: 'any', defaults: { priority: 10 } }] }), /option "tasks\[0\].defaults.priority" must be an integer from 0 to 9/],
    ['a bad default queue', (a) => ({ app: a.app, tasks: [{ task: a.handles.add, args: 'any', defaults: { queue: 'a queue' } }] }), /option "tasks\[0\].defaults.queue" must be a queue name/],
  ];

  it.each(misuses)('refuses %s at registration with InvalidOptionError naming the option', async (_label, options, message) => {
    const error = await registerUntyped(options(t)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as Error).message).toMatch(/^fastify\.register\(@celeriac\/fastify\): /);
    expect((error as Error).message).toMatch(message);
  });

  it('exposes a task only registered in remote workers, by name', async () => {
    const s = await server({ tasks: [{ task: 'reports.build', args: { type: 'array', maxItems: 0 } }] });
    const res = await s.inject({ method: 'POST', url: '/tasks/reports.build', payload: { args: [] } });
    expect(res.statusCode).toBe(202);
    expect(await queueSize(t)).toBe(1);
  });
});

describe('prefix', () => {
  it('puts every route under the prefix, Location included', async () => {
    const s = await server({ prefix: '/api/celeriac' });
    const res = await s.inject({ method: 'POST', url: '/api/celeriac/tasks/math.add', payload: { args: [1, 2] } });
    expect(res.statusCode).toBe(202);
    const { id } = res.json<{ id: string }>();
    expect(res.headers.location).toBe(`/api/celeriac/status/${id}`);
    expect((await s.inject({ method: 'GET', url: res.headers.location as string })).statusCode).toBe(200);
    expect((await s.inject({ method: 'GET', url: `/status/${id}` })).statusCode).toBe(404);
    expect((await s.inject({ method: 'POST', url: '/tasks/math.add', payload: { args: [1, 2] } })).statusCode).toBe(404);
  });

  it("adds to the prefix of an enclosing plugin (the Location is the full path)", async () => {
    const s = Fastify();
    servers.push(s);
    await s.register(async (child) => child.register(celeriacFastify, { app: t.app, prefix: '/jobs', tasks: exposedTasks(t) }), { prefix: '/v1' });
    const res = await s.inject({ method: 'POST', url: '/v1/jobs/tasks/math.add', payload: { args: [1, 2] } });
    expect(res.statusCode).toBe(202);
    expect(res.headers.location).toMatch(/^\/v1\/jobs\/status\//);
  });
});

describe('auth hook', () => {
  const auth: CeleriacFastifyOptions['auth'] = async (request, reply) => {
    if (request.headers.authorization === 'Bearer good') return;
    if (request.headers.authorization === 'Bearer readonly') {
      throw Object.assign(new Error('This token may not do that'), { statusCode: 403 });
    }
    await reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'Send a bearer token' });
  };

  it('refuses every route with 401 when the hook replies, enqueueing nothing', async () => {
    const s = await server({ auth });
    const run = await t.handles.add.delay(1, 2);
    for (const [method, url] of [
      ['POST', '/tasks/math.add'],
      ['POST', '/tasks/admin.secret'],
      ['GET', `/status/${run.id}`],
      ['GET', `/status/${run.id}/events`],
      ['DELETE', `/tasks/${run.id}`],
    ] as const) {
      const res = await s.inject({ method, url, ...(method === 'POST' ? { payload: { args: [1, 2] } } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.json()).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Send a bearer token' });
    }
    expect(await queueSize(t)).toBe(1); // only the task enqueued directly above
    expect((await run.refresh()).state).toBe('PENDING');
  });

  it('turns an error thrown by the hook into its JSON 4xx', async () => {
    const s = await server({ auth });
    const res = await s.inject({ method: 'POST', url: '/tasks/math.add', headers: { authorization: 'Bearer readonly' }, payload: { args: [1, 2] } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ statusCode: 403, error: 'Forbidden', message: 'This token may not do that' });
    expect(await queueSize(t)).toBe(0);
  });

  it('runs before the body is read: an unauthenticated oversized body is a 401, not a 413', async () => {
    const s = await server({ auth, bodyLimit: 64 });
    const res = await s.inject({ method: 'POST', url: '/tasks/math.add', payload: { args: [1, 'x'.repeat(500)] } });
    expect(res.statusCode).toBe(401);
  });

  it('lets authorized requests through', async () => {
    const s = await server({ auth });
    const headers = { authorization: 'Bearer good' };
    const res = await s.inject({ method: 'POST', url: '/tasks/math.add', headers, payload: { args: [1, 2] } });
    expect(res.statusCode).toBe(202);
    expect((await s.inject({ method: 'GET', url: res.headers.location as string, headers })).statusCode).toBe(200);
  });

  it("does not guard the app's own routes", async () => {
    const s = Fastify();
    servers.push(s);
    s.get('/health', async () => ({ ok: true }));
    await s.register(celeriacFastify, { app: t.app, auth });
    expect((await s.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });
});

describe('errors', () => {
  it("keeps the JSON 4xx shape even when the app's error handler renders something else", async () => {
    const s = Fastify();
    servers.push(s);
    s.setErrorHandler((_error, _request, reply) => reply.code(418).type('text/html').send('<h1>oops</h1>'));
    await s.register(celeriacFastify, { app: t.app, tasks: exposedTasks(t) });
    const res = await s.inject({ method: 'POST', url: '/tasks/math.add', payload: { args: ['x'] } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  it('answers a server failure with a JSON 500 that leaks nothing, and lets onError hooks see the error', async () => {
    const seen: Error[] = [];
    const s = Fastify();
    servers.push(s);
    s.addHook('onError', async (_request, _reply, error) => {
      seen.push(error);
    });
    await s.register(celeriacFastify, { app: t.app });
    const store = await t.app.connect();
    store.get = async () => {
      throw new Error('redis://admin:hunter2@db:6379 is down');
    };
    const res = await s.inject({ method: 'GET', url: '/status/some-id' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'The request failed on the server; the error has been logged' });
    expect(seen.map((e) => e.message)).toEqual(['redis://admin:hunter2@db:6379 is down']);
  });
});

describe('OpenAPI (@fastify/swagger)', () => {
  it('documents every route with its schemas, one route per exposed task', async () => {
    const s = Fastify();
    servers.push(s);
    await s.register(swagger, { openapi: { info: { title: 'celeriac', version: '1' } } });
    await s.register(celeriacFastify, { app: t.app, prefix: '/api', tasks: exposedTasks(t), auth: () => {} });
    await s.ready();
    const doc = s.swagger() as unknown as { paths: Record<string, Record<string, Record<string, unknown>>> };
    expect(Object.keys(doc.paths).sort()).toEqual(
      ['/api/status/{id}', '/api/status/{id}/events', '/api/tasks/email:send', '/api/tasks/long_task', '/api/tasks/math.add', '/api/tasks/explode', '/api/tasks/{id}'].sort(),
    );
    const add = doc.paths['/api/tasks/math.add']?.post as { summary: string; description: string; requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> }; responses: Record<string, unknown> };
    expect(add.summary).toBe('Enqueue math.add');
    expect(add.description).toBe('Adds two numbers');
    expect(add.requestBody.content['application/json']?.schema.properties.args).toMatchObject({ type: 'array', minItems: 2, maxItems: 2 });
    expect(Object.keys(add.responses).sort()).toEqual(['202', '400', '401', '403', '413', '415', '503']);
    expect(doc.paths['/api/status/{id}']?.get?.parameters).toEqual([expect.objectContaining({ in: 'path', name: 'id', required: true })]);
    expect(Object.keys(doc.paths['/api/status/{id}']?.get?.responses as object)).toEqual(expect.arrayContaining(['200', '400', '404']));
    expect(Object.keys(doc.paths['/api/tasks/{id}']?.delete?.responses as object)).toEqual(expect.arrayContaining(['202', '400', '404', '409']));
    expect(doc.paths['/api/status/{id}/events']?.get?.responses).toMatchObject({ 200: { content: { 'text/event-stream': expect.any(Object) } } });
  });
});
