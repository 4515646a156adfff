import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type TestApp, createServer, createTestApp, exposedTasks, queueSize } from './helpers.js';

let t: TestApp;
let server: FastifyInstance;

beforeEach(async () => {
  t = createTestApp();
  server = await createServer(t, { bodyLimit: 1024 });
});

afterEach(async () => {
  await server.close();
  await t.app.close();
});

/** Replaces the server with one whose math.add route has defaults. */
async function serverWithDefaults() {
  await server.close();
  const tasks = exposedTasks(t).map((e) => (e.task === t.handles.add ? { ...e, defaults: { priority: 3, countdown: 5000, expires: 60_000, queue: 'default' } } : e));
  server = await createServer(t, { tasks, bodyLimit: 1024 });
}

describe('POST /tasks/:name', () => {
  it('enqueues an exposed task: 202, Location of its status, { id, state }', async () => {
    const res = await server.inject({ method: 'POST', url: '/tasks/math.add', payload: { args: [1, 2] } });
    expect(res.statusCode).toBe(202);
    const body = res.json<{ id: string; state: string }>();
    expect(body).toEqual({ id: expect.any(String), state: 'PENDING' });
    expect(res.headers.location).toBe(`/status/${body.id}`);
    expect(await queueSize(t)).toBe(1);

    const status = await server.inject({ method: 'GET', url: res.headers.location as string });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toEqual({ state: 'PENDING', current: 0, total: 1, status: 'Pending...' });
  });

  it('passes the request options to core, turning date strings into Dates', async () => {
    const send = vi.spyOn(t.app, 'send');
    // Within a day: the memory broker mis-schedules etas beyond setTimeout's 24.8-day range.
    const eta = new Date(Date.now() + 3_600_000).toISOString();
    const expires = new Date(Date.now() + 7_200_000).toISOString();
    const res = await server.inject({
      method: 'POST',
      url: '/tasks/math.add',
      payload: { args: [1, 2], options: { eta, expires, priority: 7 } },
    });
    expect(res.statusCode).toBe(202);
    expect(send).toHaveBeenCalledWith('math.add', [1, 2], { priority: 7, eta: new Date(eta), expires: new Date(expires) });
    const numeric = await server.inject({ method: 'POST', url: '/tasks/math.add', payload: { args: [1, 2], options: { countdown: 1000, expires: 500 } } });
    expect(numeric.statusCode).toBe(202);
    expect(send).toHaveBeenLastCalledWith('math.add', [1, 2], { countdown: 1000, expires: 500 });
  });

  it('fills in the route defaults; the request wins, and its eta replaces the default countdown', async () => {
    await serverWithDefaults();
    const soon = Date.now() + 60_000;
    const send = vi.spyOn(t.app, 'send');
    await server.inject({ method: 'POST', url: '/tasks/math.add', payload: { args: [1, 2] } });
    expect(send).toHaveBeenLastCalledWith('math.add', [1, 2], { queue: 'default', priority: 3, countdown: 5000, expires: 60_000 });
    await server.inject({ method: 'POST', url: '/tasks/math.add', payload: { args: [1, 2], options: { priority: 9, eta: soon, expires: 10 } } });
    expect(send).toHaveBeenLastCalledWith('math.add', [1, 2], { queue: 'default', priority: 9, eta: soon, expires: 10 });
  });

  it('reaches a task whose name has a colon, written plainly or percent-encoded', async () => {
    const plain = await server.inject({ method: 'POST', url: '/tasks/email:send', payload: { args: ['a@example.com'] } });
    expect(plain.statusCode).toBe(202);
    const encoded = await server.inject({ method: 'POST', url: '/tasks/email%3Asend', payload: { args: ['b@example.com'] } });
    expect(encoded.statusCode).toBe(202);
    expect(await queueSize(t)).toBe(2);
  });

  it('validates the arguments of a percent-encoded name too', async () => {
    const res = await server.inject({ method: 'POST', url: '/tasks/math%2Eadd', payload: { args: [1, 'two'] } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400, error: 'Bad Request', message: 'body/args/1 must be number' });
    expect(await queueSize(t)).toBe(0);
  });

  it('accepts any JSON array for a task exposed with args: "any"', async () => {
    const res = await server.inject({ method: 'POST', url: '/tasks/email:send', payload: { args: [{ nested: [1, null] }, 'x', 3] } });
    expect(res.statusCode).toBe(202);
  });

  type BadCase = {
    name: string;
    url?: string;
    payload?: string | object;
    headers?: Record<string, string>;
    status: number;
    message: RegExp;
  };
  const big = 'x'.repeat(2000);
  const cases: BadCase[] = [
    { name: 'malformed JSON', payload: '{"args": [1, 2', headers: { 'content-type': 'application/json' }, status: 400, message: /not valid JSON/ },
    { name: 'an empty JSON body', payload: '', headers: { 'content-type': 'application/json' }, status: 400, message: /empty/i },
    { name: 'no body at all', status: 400, message: /^body must be object$/ },
    { name: 'a text body', payload: 'args=1,2', headers: { 'content-type': 'text/plain' }, status: 400, message: /^body must be object$/ },
    { name: 'a form body', payload: 'args=1', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, message: /Unsupported Media Type/i },
    { name: 'a wrong argument type', payload: { args: [1, 'two'] }, status: 400, message: /^body\/args\/1 must be number$/ },
    { name: 'a number sent as a string (no coercion)', payload: { args: ['1', 2] }, status: 400, message: /^body\/args\/0 must be number$/ },
    { name: 'too many arguments', payload: { args: [1, 2, 3] }, status: 400, message: /^body\/args must NOT have more than 2 items$/ },
    { name: 'too few arguments', payload: { args: [1] }, status: 400, message: /^body\/args must NOT have fewer than 2 items$/ },
    { name: 'args that are not an array', payload: { args: { a: 1 } }, status: 400, message: /^body\/args must be array$/ },
    { name: 'missing args', payload: { options: {} }, status: 400, message: /must have required property 'args'/ },
    { name: 'an unknown body key', payload: { args: [1, 2], kwargs: {} }, status: 400, message: /^body has an unknown property "kwargs"$/ },
    { name: 'an unknown option (queue)', payload: { args: [1, 2], options: { queue: 'admin' } }, status: 400, message: /^body\/options has an unknown property "queue"$/ },
    { name: 'an unknown option (taskId)', payload: { args: [1, 2], options: { taskId: 'mine' } }, status: 400, message: /unknown property "taskId"/ },
    { name: 'options that are not an object', payload: { args: [1, 2], options: 5 }, status: 400, message: /^body\/options must be object$/ },
    { name: 'a negative countdown', payload: { args: [1, 2], options: { countdown: -1 } }, status: 400, message: /^body\/options\/countdown must be >= 0$/ },
    { name: 'a priority out of range', payload: { args: [1, 2], options: { priority: 12 } }, status: 400, message: /^body\/options\/priority must be <= 9$/ },
    { name: 'a fractional priority', payload: { args: [1, 2], options: { priority: 1.5 } }, status: 400, message: /^body\/options\/priority must be integer$/ },
    { name: 'an eta that is not a date', payload: { args: [1, 2], options: { eta: 'tomorrow' } }, status: 400, message: /^body\/options\/eta must match format "date-time"$/ },
    { name: 'an eta of the wrong type', payload: { args: [1, 2], options: { eta: true } }, status: 400, message: /^body\/options\/eta must be number,string$/ },
    { name: 'an unreadable date (leap second)', payload: { args: [1, 2], options: { eta: '2016-12-31T23:59:60Z' } }, status: 400, message: /body\/options\/eta is not a date-time JavaScript can read/ },
    { name: 'a zero expires', payload: { args: [1, 2], options: { expires: 0 } }, status: 400, message: /^body\/options\/expires must be > 0$/ },
    { name: 'countdown with eta (refused by core)', payload: { args: [1, 2], options: { countdown: 10, eta: 1_900_000_000_000 } }, status: 400, message: /option "countdown" cannot be combined with eta/ },
    { name: 'a prototype-poisoning body', payload: '{"args":[1,2],"__proto__":{"polluted":true}}', headers: { 'content-type': 'application/json' }, status: 400, message: /not valid JSON/ },
    { name: 'a body over the limit', payload: { args: [1, big] }, status: 413, message: /too large/ },
    { name: 'an unknown task name', url: '/tasks/no.such.task', payload: { args: [] }, status: 404, message: /^No task named "no.such.task" can be enqueued here$/ },
    { name: 'a registered task that is not exposed', url: '/tasks/admin.secret', payload: { args: [] }, status: 404, message: /^No task named "admin.secret" can be enqueued here$/ },
  ];

  it.each(cases)('refuses $name with a $status JSON error and enqueues nothing', async ({ url, payload, headers, status, message }) => {
    const res = await server.inject({ method: 'POST', url: url ?? '/tasks/math.add', ...(payload === undefined ? {} : { payload }), ...(headers === undefined ? {} : { headers }) });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json<{ statusCode: number; error: string; message: string }>();
    expect(body).toEqual({ statusCode: status, error: expect.any(String), message: expect.stringMatching(message), code: expect.any(String) });
    expect(await queueSize(t)).toBe(0);
    expect(await queueSize(t, 'admin')).toBe(0);
  });

  it('answers 400 for arguments core cannot serialize (defence in depth behind the schema)', async () => {
    vi.spyOn(t.app, 'send').mockRejectedValueOnce(Object.assign(new Error('The arguments of math.add must be JSON-serializable: args[0] is a bigint'), { code: 'NOT_SERIALIZABLE' }));
    const res = await server.inject({ method: 'POST', url: '/tasks/math.add', payload: { args: [1, 2] } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'NOT_SERIALIZABLE', message: /must be JSON-serializable/ });
  });
});
