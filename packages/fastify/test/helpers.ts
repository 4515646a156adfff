import { Celeriac, type Logger, type TaskContext } from '@celeriac/core';
import type { RecordListener } from '@celeriac/core/adapter';
import { MemoryStore } from '@celeriac/memory';
import Fastify, { type FastifyInstance } from 'fastify';
import { type CeleriacFastifyOptions, type ExposedTask, celeriacFastify } from '../src/index.js';

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A memory store that counts live subscriptions, so tests can await a stream letting go of its task. */
export class CountingStore extends MemoryStore {
  subscriptions = 0;
  #waiters: (() => void)[] = [];

  override async subscribe(id: string, listener: RecordListener): Promise<() => void> {
    const unsubscribe = await super.subscribe(id, listener);
    this.subscriptions++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      unsubscribe();
      this.subscriptions--;
      if (this.subscriptions === 0) for (const wake of this.#waiters.splice(0)) wake();
    };
  }

  /** Resolves once no one follows any task. */
  whenUnsubscribed(): Promise<void> {
    if (this.subscriptions === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

/** A promise opened from outside: tasks wait on it so a test decides when they go on. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** An app on its own memory store with the seed's tasks, plus a few for the edge cases. */
export function createTestApp() {
  const store = new CountingStore();
  const app = new Celeriac({ store, logger: silentLogger });
  const longTaskGate = gate();
  const add = app.task({ name: 'math.add' }, (a: number, b: number) => a + b);
  const longTask = app.task({ name: 'long_task', bind: true }, async (ctx: TaskContext, steps: number) => {
    await longTaskGate.promise;
    for (let i = 1; i <= steps; i++) await ctx.progress(i, steps, `Loading silent orbiter ${i}...`);
    return { current: 100, total: 100, status: 'Task completed!', result: 42 };
  });
  const explode = app.task({ name: 'explode' }, (message: string) => {
    throw new TypeError(message);
  });
  const stepperGate = gate();
  // Reports one step, then waits: a test can look at a task that is surely mid-way.
  const stepper = app.task({ name: 'stepper', bind: true }, async (ctx: TaskContext) => {
    await ctx.progress(1, 4, 'One quarter done');
    await stepperGate.promise;
    return 'done';
  });
  const secret = app.task({ name: 'admin.secret' }, () => 'not for the web');
  const send = app.task({ name: 'email:send' }, (to: string) => `sent to ${to}`);
  return { app, store, longTaskGate, stepperGate, handles: { add, longTask, explode, secret, send, stepper } };
}

export type TestApp = ReturnType<typeof createTestApp>;

/** The exposed tasks most tests use; `admin.secret` is registered but deliberately not exposed. */
export function exposedTasks(t: TestApp): ExposedTask[] {
  const { add, longTask, explode, send } = t.handles;
  return [
    { task: add, args: { type: 'array', items: [{ type: 'number' }, { type: 'number' }], minItems: 2, maxItems: 2 }, description: 'Adds two numbers' },
    { task: longTask, args: { type: 'array', items: [{ type: 'integer', minimum: 1, maximum: 50 }], minItems: 1, maxItems: 1 } },
    { task: explode, args: { type: 'array', items: [{ type: 'string' }], minItems: 1, maxItems: 1 } },
    { task: send, args: 'any' },
  ];
}

/** A Fastify server with the plugin registered and ready; `extra` overrides or adds options. */
export async function createServer(t: TestApp, extra: Partial<CeleriacFastifyOptions> = {}): Promise<FastifyInstance> {
  const server = Fastify();
  await server.register(celeriacFastify, { app: t.app, tasks: exposedTasks(t), ...extra });
  await server.ready();
  return server;
}

export async function queueSize(t: TestApp, queue = 'default'): Promise<number> {
  return (await t.app.connect()).size(queue);
}

/** Parses a text/event-stream body into its messages (comments and blank lines dropped). */
export function parseSse(text: string): { id: string | undefined; data: unknown }[] {
  return text
    .split('\n\n')
    .filter((block) => block.split('\n').some((line) => line.startsWith('data:')))
    .map((block) => {
      const lines = block.split('\n');
      const id = lines.find((l) => l.startsWith('id:'))?.slice(3).trim();
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      return { id, data: JSON.parse(data) as unknown };
    });
}

/** Reads SSE messages from a stream as they arrive. */
export async function* sseMessages(stream: AsyncIterable<Buffer | string>): AsyncGenerator<{ id: string | undefined; data: unknown }> {
  let buffered = '';
  for await (const chunk of stream) {
    buffered += chunk.toString();
    let end = buffered.indexOf('\n\n');
    while (end >= 0) {
      yield* parseSse(buffered.slice(0, end + 2));
      buffered = buffered.slice(end + 2);
      end = buffered.indexOf('\n\n');
    }
  }
}
