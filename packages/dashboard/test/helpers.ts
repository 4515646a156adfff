import { Celeriac, type Logger } from '@celeriac/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { type CeleriacDashboardOptions, celeriacDashboard } from '../src/index.js';
import { registerDemoTasks } from './demo-tasks.js';

export const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** An app on the memory store with the demo tasks, and a Fastify server with the dashboard at `prefix`. */
export async function mountDashboard(options: Partial<CeleriacDashboardOptions> = {}, prefix = '/dash') {
  const app = new Celeriac({ logger: quiet, events: true });
  const tasks = registerDemoTasks(app);
  const server = Fastify();
  await server.register(celeriacDashboard, { app, prefix, refreshInterval: 100, ...options });
  await server.ready();
  return {
    app,
    tasks,
    server,
    close: async () => {
      await server.close();
      await app.close();
    },
  };
}

/**
 * For a test file: `mount()` as `mountDashboard`, each dashboard closed after its test, with
 * `cleanups` for anything else a test opens (closed first, in order).
 */
export function mountPerTest() {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  const mount = async (...args: Parameters<typeof mountDashboard>) => {
    const mounted = await mountDashboard(...args);
    cleanups.push(mounted.close);
    return mounted;
  };
  return { mount, cleanups };
}

/** `POST` an action as the page does: JSON, `{}`. */
export function act(server: FastifyInstance, url: string, headers: Record<string, string> = {}) {
  return server.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: '{}' });
}

/** Waits for `check` to hold, reading again every 20 ms, failing after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Reads Server-Sent Events from a real connection: each `data:` line parsed as JSON. */
export async function readEvents(url: string, signal: AbortSignal, init: RequestInit = {}): Promise<{ status: number; events: unknown[]; done: Promise<void> }> {
  const response = await fetch(url, { ...init, signal });
  const events: unknown[] = [];
  if (response.body === null || response.status !== 200) return { status: response.status, events, done: Promise.resolve() };
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const done = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done: ended } = await reader.read();
        if (ended) return;
        buffer += value;
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          for (const line of frame.split('\n')) if (line.startsWith('data: ')) events.push(JSON.parse(line.slice(6)));
        }
      }
    } catch {
      // aborted by the test
    }
  })();
  return { status: response.status, events, done };
}
