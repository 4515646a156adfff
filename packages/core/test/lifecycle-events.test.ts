import { MemoryStore } from '@celeriac/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { Celeriac, type LogFields, type Logger } from '../src/index.js';
import { expectEveryLifecycleEvent } from '../src/testing/index.js';

/** A logger keeping every line. */
function recording(): Logger & { lines: { level: string; message: string; fields: LogFields | undefined }[] } {
  const lines: { level: string; message: string; fields: LogFields | undefined }[] = [];
  const at = (level: string) => (message: string, fields?: LogFields) => void lines.push({ level, message, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const apps: Celeriac[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

function track(app: Celeriac): Celeriac {
  apps.push(app);
  return app;
}

describe('lifecycle events on the memory store', () => {
  it('emits every event with its payload, to app.on and worker.on', async () => {
    const app = track(new Celeriac({ store: new MemoryStore(), logger: recording() }));
    await expectEveryLifecycleEvent(app, () => app.worker({ pollInterval: 20, heartbeatInterval: 50 }));
  });

  it('a listener that throws or rejects is logged at error and the worker goes on', async () => {
    const logger = recording();
    const app = track(new Celeriac({ store: new MemoryStore(), logger }));
    const double = app.task({ name: 'ev.double' }, (n: number) => n * 2);
    const seen: string[] = [];
    app.on('task-received', () => {
      throw new Error('listener bug');
    });
    app.on('task-succeeded', async () => {
      throw new Error('async listener bug');
    });
    app.on('task-succeeded', (e) => void seen.push(e.taskId));
    const worker = app.worker({ pollInterval: 20 });
    worker.on('task-started', () => {
      throw new Error('worker listener bug');
    });
    await worker.start();
    const results = await Promise.all([1, 2, 3].map((n) => double.delay(n)));
    expect(await Promise.all(results.map((r) => r.wait({ timeout: 2_000 })))).toEqual([2, 4, 6]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen.sort()).toEqual(results.map((r) => r.id).sort());
    const errors = logger.lines.filter((l) => l.level === 'error').map((l) => l.message);
    expect(errors.filter((m) => m === 'a listener of "task-received" threw: listener bug')).toHaveLength(3);
    expect(errors.filter((m) => m === 'a listener of "task-succeeded" threw: async listener bug')).toHaveLength(3);
    expect(errors.filter((m) => m === 'a listener of "task-started" threw: worker listener bug')).toHaveLength(3);
    expect(logger.lines.find((l) => l.message.includes('listener bug'))?.fields).toMatchObject({ event: 'task-received', error: { message: 'listener bug', stack: expect.stringContaining('listener bug') } });
  });

  it('off and the returned function remove a listener; a worker listener hears only its own worker', async () => {
    const app = track(new Celeriac({ store: new MemoryStore(), logger: recording() }));
    const noop = app.task({ name: 'ev.noop', queue: 'a' }, () => null);
    const other = app.task({ name: 'ev.other', queue: 'b' }, () => null);
    const byApp: string[] = [];
    const removed: string[] = [];
    const listener = (e: { task: string }) => void removed.push(e.task);
    app.on('task-succeeded', (e) => void byApp.push(e.task));
    app.on('task-succeeded', listener);
    const off = app.on('task-received', listener);
    app.off('task-succeeded', listener);
    off();
    const first = app.worker({ queues: ['a'], pollInterval: 20 });
    const second = app.worker({ queues: ['b'], pollInterval: 20 });
    const byFirst: string[] = [];
    first.on('task-succeeded', (e) => void byFirst.push(e.task));
    await Promise.all([first.start(), second.start()]);
    await (await noop.delay()).wait({ timeout: 2_000 });
    await (await other.delay()).wait({ timeout: 2_000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(byApp.sort()).toEqual(['ev.noop', 'ev.other']);
    expect(byFirst).toEqual(['ev.noop']);
    expect(removed).toEqual([]);
  });

  it('an expired task is revoked with the reason "expired"', async () => {
    const app = track(new Celeriac({ store: new MemoryStore(), logger: recording() }));
    const late = app.task({ name: 'ev.late' }, () => 'never');
    const events: string[] = [];
    app.on('task-revoked', (e) => void events.push(`revoked ${e.task} ${e.reason}`));
    await app.worker({ pollInterval: 20 }).start();
    const expired = await late.applyAsync([], { countdown: 60, expires: 30 });
    await expect(expired.wait({ timeout: 2_000 })).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events).toEqual(['revoked ev.late expired']);
  });
});
