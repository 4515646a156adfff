import { Celeriac, type TaskStore } from '@celeriac/core';
import type { ApplyResult, TaskMessage } from '@celeriac/core/adapter';
import { MemoryStore } from '@celeriac/memory';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { celeriacFastify } from '../src/index.js';
import { silentLogger } from './helpers.js';

/** A store that holds every enqueue until `release()`, as a Redis connection does during an outage. */
class HoldingStore extends MemoryStore {
  release!: () => void;
  readonly #held = new Promise<void>((resolve) => {
    this.release = resolve;
  });

  override async enqueue(messages: readonly TaskMessage[]): Promise<ApplyResult[]> {
    await this.#held;
    return super.enqueue(messages);
  }
}

// Bad input is the client's mistake (4xx), an outage of the store is a 503 to retry: never a 500 or a hang.

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function serve(store: TaskStore, options: { maxMessageSize?: number; enqueueTimeout?: number } = {}): Promise<{ server: FastifyInstance; app: Celeriac }> {
  const app = new Celeriac({ store, logger: silentLogger, ...options });
  const take = app.task({ name: 'take' }, (_x: unknown) => 1);
  const server = Fastify();
  await server.register(celeriacFastify, { app, tasks: [{ task: take, args: 'any' }], bodyLimit: 1_048_576 });
  await server.ready();
  closers.push(async () => {
    await server.close();
    await app.close();
  });
  return { server, app };
}

describe('POST /tasks/:name and unsafe inputs', () => {
  it('answers 400, not 500, to arguments nested 5,000 levels deep (a 10 KB body), enqueueing nothing', async () => {
    const store = new MemoryStore();
    const { server } = await serve(store);
    const payload = `{"args":[${'['.repeat(5_000)}1${']'.repeat(5_000)}]}`;
    expect(payload.length).toBeLessThan(11_000);
    const res = await server.inject({ method: 'POST', url: '/tasks/take', headers: { 'content-type': 'application/json' }, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400, code: 'NOT_SERIALIZABLE' });
    expect(res.json<{ message: string }>().message).toContain('is nested more than 64 levels deep');
    expect(await store.size('default')).toBe(0);
  });

  it("answers 413 to arguments larger than the app's maxMessageSize, enqueueing nothing", async () => {
    const store = new MemoryStore();
    const { server } = await serve(store, { maxMessageSize: 1_000 });
    const res = await server.inject({ method: 'POST', url: '/tasks/take', payload: { args: ['x'.repeat(2_000)] } });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ statusCode: 413, error: 'Payload Too Large', code: 'MESSAGE_TOO_LARGE' });
    expect(await store.size('default')).toBe(0);
    const small = await server.inject({ method: 'POST', url: '/tasks/take', payload: { args: ['x'.repeat(100)] } });
    expect(small.statusCode).toBe(202);
  });

  it('answers 503 with Retry-After when the store does not accept the task within enqueueTimeout', async () => {
    const store = new HoldingStore();
    const { server } = await serve(store, { enqueueTimeout: 300 });
    const started = Date.now();
    const res = await server.inject({ method: 'POST', url: '/tasks/take', payload: { args: [1] } });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ statusCode: 503, error: 'Service Unavailable', code: 'ENQUEUE_TIMEOUT' });
    store.release();
  });
});
