import { expect } from 'vitest';
import type { Celeriac } from '../app/celeriac.js';
import type { TaskContext } from '../context/task-context.js';
import type { CeleriacEvent, CeleriacEventName } from '../events/event-types.js';
import type { Worker } from '../worker/worker.js';

const NAMES: CeleriacEventName[] = [
  'task-sent',
  'task-received',
  'task-started',
  'task-progress',
  'task-retried',
  'task-succeeded',
  'task-failed',
  'task-revoked',
  'task-dead-lettered',
  'worker-online',
  'worker-heartbeat',
  'worker-offline',
];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !check(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * Runs one task of each kind through a worker of `app` (made by `makeWorker`, on any store) and
 * checks every lifecycle event with its payload, as heard by `app.on` and by `worker.on`: how a
 * store shows it reports what the events are made of. The app must be fresh (the scenario
 * registers its tasks `ev.*`); the worker needs a short `heartbeatInterval` (e.g. 50 ms) and is
 * closed at the end (`worker-offline`). Call it inside a vitest test.
 */
export async function expectEveryLifecycleEvent(app: Celeriac, makeWorker: () => Worker): Promise<void> {
  const heard: CeleriacEvent[] = [];
  const heardByWorker: CeleriacEvent[] = [];
  for (const name of NAMES) app.on(name, (payload) => void heard.push({ type: name, ...payload } as CeleriacEvent));
  let gate!: () => void;
  const released = new Promise<void>((resolve) => (gate = resolve));
  const ok = app.task({ name: 'ev.ok', bind: true }, async (ctx: TaskContext, n: number) => {
    await ctx.progress(1, 2);
    await sleep(15);
    return n * 2;
  });
  let flakyRuns = 0;
  const flaky = app.task({ name: 'ev.flaky', retries: 1, backoff: { type: 'fixed', delay: 20 } }, () => {
    if (++flakyRuns === 1) throw new Error('flaky the first time');
    return 'second';
  });
  const broken = app.task({ name: 'ev.broken' }, () => {
    throw new TypeError('broken for good');
  });
  const dead = app.task({ name: 'ev.dead', deadLetter: true }, () => {
    throw new Error('to the dead letters');
  });
  const slow = app.task({ name: 'ev.slow', bind: true }, async (ctx: TaskContext) => {
    gate();
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
  });
  const worker = makeWorker();
  for (const name of NAMES) worker.on(name, (payload) => void heardByWorker.push({ type: name, ...payload } as CeleriacEvent));
  await worker.start();
  const id = worker.id;
  const of = (type: string, taskId?: string) => heard.filter((e) => e.type === type && (taskId === undefined || ('taskId' in e && e.taskId === taskId)));

  const okRun = await ok.delay(21);
  expect(await okRun.wait({ timeout: 5_000 })).toBe(42);
  const flakyRun = await flaky.delay();
  expect(await flakyRun.wait({ timeout: 5_000 })).toBe('second');
  const brokenRun = await broken.delay();
  await expect(brokenRun.wait({ timeout: 5_000 })).rejects.toThrow('broken for good');
  const deadRun = await dead.delay();
  await expect(deadRun.wait({ timeout: 5_000 })).rejects.toThrow('to the dead letters');
  const slowRun = await slow.delay();
  await released;
  await app.revoke(slowRun.id);
  await until(() => of('task-revoked', slowRun.id).length > 0 && of('task-dead-lettered', deadRun.id).length > 0, 'the revoke and the dead letter');

  const base = (taskId: string, task: string, attempt = 1) => ({ taskId, task, attempt, worker: id, at: expect.any(Number) });
  expect(of('task-sent', okRun.id)).toEqual([{ type: 'task-sent', taskId: okRun.id, task: 'ev.ok', attempt: 1, at: expect.any(Number), queue: 'default' }]);
  expect(of('task-received', okRun.id)).toEqual([{ type: 'task-received', ...base(okRun.id, 'ev.ok'), queue: 'default', deliveries: 1 }]);
  expect(of('task-started', okRun.id)).toEqual([{ type: 'task-started', ...base(okRun.id, 'ev.ok'), queue: 'default', waitMs: expect.any(Number) }]);
  expect((of('task-started', okRun.id)[0] as { waitMs: number }).waitMs).toBeGreaterThanOrEqual(0);
  expect(of('task-progress', okRun.id)).toEqual([{ type: 'task-progress', ...base(okRun.id, 'ev.ok'), state: 'PROGRESS', meta: { current: 1, total: 2 } }]);
  const [succeeded] = of('task-succeeded', okRun.id);
  expect(succeeded).toEqual({ type: 'task-succeeded', ...base(okRun.id, 'ev.ok'), runtimeMs: expect.any(Number) });
  expect((succeeded as { runtimeMs: number }).runtimeMs).toBeGreaterThanOrEqual(10);
  expect(of('task-retried', flakyRun.id)).toEqual([
    { type: 'task-retried', ...base(flakyRun.id, 'ev.flaky'), countdown: expect.any(Number), error: expect.objectContaining({ type: 'Error', message: 'flaky the first time' }) },
  ]);
  expect((of('task-retried', flakyRun.id)[0] as { countdown: number }).countdown).toBeLessThanOrEqual(20);
  expect(of('task-succeeded', flakyRun.id)).toEqual([{ type: 'task-succeeded', ...base(flakyRun.id, 'ev.flaky', 2), runtimeMs: expect.any(Number) }]);
  expect(of('task-started', flakyRun.id).map((e) => (e as { attempt: number }).attempt)).toEqual([1, 2]);
  expect(of('task-failed', brokenRun.id)).toEqual([
    { type: 'task-failed', ...base(brokenRun.id, 'ev.broken'), runtimeMs: expect.any(Number), error: expect.objectContaining({ type: 'TypeError', message: 'broken for good', stack: expect.stringContaining('broken for good') }) },
  ]);
  expect(of('task-failed', deadRun.id)).toHaveLength(1);
  expect(of('task-dead-lettered', deadRun.id)).toEqual([{ type: 'task-dead-lettered', ...base(deadRun.id, 'ev.dead'), reason: 'failed on attempt 1: Error: to the dead letters' }]);
  expect(of('task-revoked', slowRun.id)).toEqual([{ type: 'task-revoked', ...base(slowRun.id, 'ev.slow'), reason: 'revoked' }]);
  const [online] = of('worker-online');
  expect(online).toEqual({ type: 'worker-online', worker: id, at: expect.any(Number), info: expect.objectContaining({ id, pid: process.pid, concurrency: worker.options.concurrency }) });
  // The worker's own listeners heard the same task and worker events (task-sent is the producer's).
  const notBeats = (e: CeleriacEvent) => e.type !== 'worker-heartbeat' && e.type !== 'task-sent';
  expect(heardByWorker.filter(notBeats)).toEqual(heard.filter(notBeats));

  const beats = of('worker-heartbeat').length;
  await until(() => of('worker-heartbeat').length > beats, 'a heartbeat after the tasks');
  // Six runs ended (the revoked one too: it returned when told), two of them failed.
  expect(of('worker-heartbeat').at(-1)).toEqual({ type: 'worker-heartbeat', worker: id, at: expect.any(Number), info: expect.objectContaining({ id, processed: 6, failed: 2, running: [] }) });
  await worker.close();
  expect(of('worker-offline')).toEqual([{ type: 'worker-offline', worker: id, at: expect.any(Number) }]);
}
