import { type IncomingMessage, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskStatusEvent } from '../src/index.js';
import { type TestApp, createServer, createTestApp, parseSse, sseMessages } from './helpers.js';

let t: TestApp;
let server: FastifyInstance;

beforeEach(async () => {
  t = createTestApp();
  server = await createServer(t);
});

afterEach(async () => {
  t.longTaskGate.open();
  t.stepperGate.open();
  await server.close();
  await t.app.close();
});

async function startWorker() {
  await t.app.worker({ pollInterval: 20 }).start();
}

/** Opens the stream over a real socket, so that the client can really go away. */
async function openOverHttp(path: string): Promise<IncomingMessage> {
  const address = await server.listen({ port: 0, host: '127.0.0.1' });
  const { port } = server.server.address() as AddressInfo;
  expect(address).toContain(String(port));
  return new Promise((resolve, reject) => get({ host: '127.0.0.1', port, path }, resolve).on('error', reject));
}

describe('GET /status/:id/events', () => {
  it('streams every update in seq order, progress included, and ends after SUCCESS', async () => {
    const steps = 5;
    const run = await t.handles.longTask.delay(steps);
    await startWorker();
    const res = await server.inject({ method: 'GET', url: `/status/${run.id}/events`, payloadAsStream: true });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.headers['cache-control']).toBe('no-cache');

    const events: { id: string | undefined; data: TaskStatusEvent }[] = [];
    for await (const message of sseMessages(res.stream())) {
      events.push(message as { id: string | undefined; data: TaskStatusEvent });
      // The task is held before its first progress report until the stream has shown its current state.
      if (events.length === 1) t.longTaskGate.open();
    }

    const seqs = events.map((e) => e.data.seq);
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i)); // consecutive: nothing lost, nothing twice
    expect(events.map((e) => e.id)).toEqual(seqs.map(String));
    expect(events.map((e) => e.data.state).filter((s) => s !== 'PENDING' && s !== 'STARTED')).toEqual([...Array(steps).fill('PROGRESS'), 'SUCCESS']);
    expect(events.filter((e) => e.data.state === 'PROGRESS').map((e) => [e.data.current, e.data.total])).toEqual([
      [1, 5],
      [2, 5],
      [3, 5],
      [4, 5],
      [5, 5],
    ]);
    expect(events.at(-1)?.data).toEqual({ state: 'SUCCESS', current: 100, total: 100, status: 'Task completed!', result: 42, seq: seqs.at(-1) });
  });

  it('streams a failure and ends', async () => {
    const run = await t.handles.explode.delay('no fuel');
    await startWorker();
    const res = await server.inject({ method: 'GET', url: `/status/${run.id}/events` });
    const last = parseSse(res.body).at(-1)?.data;
    expect(last).toMatchObject({ state: 'FAILURE', status: 'TypeError: no fuel', error: { type: 'TypeError', message: 'no fuel' } });
  });

  it('streams a revocation and ends', async () => {
    const run = await t.handles.add.delay(1, 2);
    const res = await server.inject({ method: 'GET', url: `/status/${run.id}/events`, payloadAsStream: true });
    const messages = sseMessages(res.stream());
    expect((await messages.next()).value?.data).toMatchObject({ state: 'PENDING', seq: 1 });
    expect((await server.inject({ method: 'DELETE', url: `/tasks/${run.id}` })).statusCode).toBe(202);
    expect((await messages.next()).value?.data).toMatchObject({ state: 'REVOKED', seq: 2 });
    expect((await messages.next()).done).toBe(true);
  });

  it('sends only newer events to a client reconnecting with Last-Event-ID, and 204 once the task has ended', async () => {
    const run = await t.handles.add.delay(2, 3);
    await startWorker();
    await run.wait({ timeout: 5000 });
    const full = parseSse((await server.inject({ method: 'GET', url: `/status/${run.id}/events` })).body);
    expect(full.map((e) => (e.data as TaskStatusEvent).state)).toEqual(['SUCCESS']);
    const lastSeq = (full[0]?.data as TaskStatusEvent).seq;
    const again = await server.inject({ method: 'GET', url: `/status/${run.id}/events`, headers: { 'last-event-id': String(lastSeq) } });
    expect(again.statusCode).toBe(204);
    expect(again.body).toBe('');
    const behind = await server.inject({ method: 'GET', url: `/status/${run.id}/events`, headers: { 'last-event-id': String(lastSeq - 1) } });
    expect(parseSse(behind.body).map((e) => (e.data as TaskStatusEvent).seq)).toEqual([lastSeq]);
  });

  it('stops following the task when the client disconnects', async () => {
    const run = await t.handles.stepper.delay();
    await startWorker();
    const response = await openOverHttp(`/status/${run.id}/events`);
    expect(response.statusCode).toBe(200);
    const first = await sseMessages(response).next(); // one message in: the stream follows the task
    expect(first.value?.data).toMatchObject({ state: expect.stringMatching(/^(PENDING|STARTED|PROGRESS)$/) });
    expect(t.store.subscriptions).toBe(1);
    response.destroy();
    await t.store.whenUnsubscribed();
    expect(t.store.subscriptions).toBe(0);
  });

  it('lets the server close while a stream is open, ending the stream', async () => {
    const run = await t.handles.stepper.delay();
    await startWorker();
    const response = await openOverHttp(`/status/${run.id}/events`);
    const ended = new Promise<void>((resolve) => response.on('end', resolve).on('close', resolve));
    response.resume();
    await server.close();
    await ended;
    await t.store.whenUnsubscribed();
  });

  it('answers 404 for an unknown id and 400 for a malformed one, as JSON', async () => {
    const unknown = await server.inject({ method: 'GET', url: '/status/nope/events' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/json/);
    expect(unknown.json()).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'CELERIAC_TASK_NOT_FOUND' });
    const malformed = await server.inject({ method: 'GET', url: '/status/no%20pe/events' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });
});
