import type { Worker } from '@celeriac/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { celeriacFastify } from '../src/index.js';
import { type TestApp, createServer, createTestApp } from './helpers.js';

let t: TestApp;
let server: FastifyInstance;
let worker: Worker | undefined;

beforeEach(async () => {
  t = createTestApp();
  server = await createServer(t);
});

afterEach(async () => {
  await server.close();
  await t.app.close();
  worker = undefined;
});

async function startWorker() {
  worker = t.app.worker({ pollInterval: 20 });
  await worker.start();
}

describe('GET /status/:id', () => {
  it('reports a finished seed task in the seed shape, result lifted', async () => {
    t.longTaskGate.open();
    const run = await t.handles.longTask.delay(3);
    await startWorker();
    await run.wait({ timeout: 5000 });
    const res = await server.inject({ method: 'GET', url: `/status/${run.id}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ state: 'SUCCESS', current: 100, total: 100, status: 'Task completed!', result: 42 });
  });

  it('reports progress while the task runs', async () => {
    const run = await t.handles.stepper.delay();
    await startWorker();
    for await (const record of run.updates()) if (record.state === 'PROGRESS') break;
    const res = await server.inject({ method: 'GET', url: `/status/${run.id}` });
    expect(res.json()).toEqual({ state: 'PROGRESS', current: 1, total: 4, status: 'One quarter done' });
    t.stepperGate.open();
    await run.wait({ timeout: 5000 });
  });

  it('describes a failure without the stack', async () => {
    const run = await t.handles.explode.delay('the flux capacitor is empty');
    await startWorker();
    await expect(run.wait({ timeout: 5000 })).rejects.toThrow();
    const res = await server.inject({ method: 'GET', url: `/status/${run.id}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      state: 'FAILURE',
      current: 1,
      total: 1,
      status: 'TypeError: the flux capacitor is empty',
      error: { type: 'TypeError', message: 'the flux capacitor is empty' },
    });
    expect(res.body).not.toMatch(/stack|at .*\.ts/);
  });

  it('answers 404 for an id that was never enqueued (no Celery-style PENDING)', async () => {
    const res = await server.inject({ method: 'GET', url: '/status/never-enqueued-1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ statusCode: 404, error: 'Not Found', code: 'CELERIAC_TASK_NOT_FOUND', message: expect.stringMatching(/No task has id "never-enqueued-1"/) });
  });

  it.each([
    ['a space', 'bad%20id'],
    ['a slash', 'a%2Fb'],
    ['a quote', '%22quoted%22'],
  ])('answers 400 for an id with %s', async (_label, id) => {
    const res = await server.inject({ method: 'GET', url: `/status/${id}` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/^params\/id must match pattern/) });
  });

  it('answers 400 for an id over 128 characters (given a router that lets such params through)', async () => {
    const long = Fastify({ routerOptions: { maxParamLength: 200 } });
    await long.register(celeriacFastify, { app: t.app });
    const res = await long.inject({ method: 'GET', url: `/status/${'x'.repeat(129)}` });
    expect(res.statusCode).toBe(400);
    await long.close();
  });

  it("answers Fastify's 414 JSON error for a param over the router's maxParamLength (100 by default)", async () => {
    const res = await server.inject({ method: 'GET', url: `/status/${'x'.repeat(101)}` });
    expect(res.statusCode).toBe(414);
    expect(res.json()).toMatchObject({ statusCode: 414 });
  });
});
