import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type TestApp, createServer, createTestApp, queueSize } from './helpers.js';

let t: TestApp;
let server: FastifyInstance;

beforeEach(async () => {
  t = createTestApp();
  server = await createServer(t);
});

afterEach(async () => {
  await server.close();
  await t.app.close();
});

describe('DELETE /tasks/:id', () => {
  it('revokes a waiting task: 202 { id, state: REVOKED }, and it never runs', async () => {
    const run = await t.handles.add.delay(1, 2);
    const res = await server.inject({ method: 'DELETE', url: `/tasks/${run.id}` });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ id: run.id, state: 'REVOKED' });
    expect((await server.inject({ method: 'GET', url: `/status/${run.id}` })).json()).toEqual({ state: 'REVOKED', current: 0, total: 1, status: 'Revoked' });
    expect(await (await t.app.connect()).isRevoked(run.id)).toBe(true);
    expect(await queueSize(t)).toBe(0);
  });

  it('revokes a running task, which sees its signal aborted', async () => {
    const run = await t.handles.stepper.delay();
    const worker = t.app.worker({ pollInterval: 20 });
    await worker.start();
    for await (const record of run.updates()) if (record.state === 'PROGRESS') break;
    const res = await server.inject({ method: 'DELETE', url: `/tasks/${run.id}` });
    expect(res.statusCode).toBe(202);
    expect((await run.refresh()).state).toBe('REVOKED');
    t.stepperGate.open();
  });

  it('is idempotent: revoking a revoked task is 202 again', async () => {
    const run = await t.handles.add.delay(1, 2);
    await server.inject({ method: 'DELETE', url: `/tasks/${run.id}` });
    const again = await server.inject({ method: 'DELETE', url: `/tasks/${run.id}` });
    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual({ id: run.id, state: 'REVOKED' });
  });

  it('answers 404 for an unknown id without marking it revoked in the broker', async () => {
    const revoke = vi.spyOn(t.app, 'revoke');
    const res = await server.inject({ method: 'DELETE', url: '/tasks/never-enqueued' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'CELERIAC_TASK_NOT_FOUND' });
    expect(revoke).not.toHaveBeenCalled();
    expect(await (await t.app.connect()).isRevoked('never-enqueued')).toBe(false);
  });

  it('answers 404 when the record disappears between the read and the revoke', async () => {
    const run = await t.handles.add.delay(1, 2);
    vi.spyOn(t.app, 'revoke').mockResolvedValueOnce('unknown');
    const res = await server.inject({ method: 'DELETE', url: `/tasks/${run.id}` });
    expect(res.statusCode).toBe(404);
  });

  it('answers 409 for a task that has already finished', async () => {
    const run = await t.handles.add.delay(1, 2);
    const worker = t.app.worker({ pollInterval: 20 });
    await worker.start();
    await run.wait({ timeout: 5000 });
    const res = await server.inject({ method: 'DELETE', url: `/tasks/${run.id}` });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ statusCode: 409, error: 'Conflict', code: 'CELERIAC_TASK_FINISHED', message: `Task "${run.id}" has already finished (SUCCESS): there is nothing to revoke` });
    expect((await run.refresh()).state).toBe('SUCCESS');
  });

  it('answers 409 when the task finishes between the read and the revoke', async () => {
    const run = await t.handles.add.delay(1, 2);
    const worker = t.app.worker({ pollInterval: 20 });
    // The revoke runs only after the worker has finished the task.
    vi.spyOn(t.app, 'revoke').mockImplementationOnce(async () => {
      await worker.start();
      await run.wait({ timeout: 5000 });
      return 'finished';
    });
    const res = await server.inject({ method: 'DELETE', url: `/tasks/${run.id}` });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ message: /already finished \(SUCCESS\)/ });
  });

  it('answers 400 for a malformed id', async () => {
    const res = await server.inject({ method: 'DELETE', url: '/tasks/bad%20id' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/^params\/id must match pattern/) });
  });
});
