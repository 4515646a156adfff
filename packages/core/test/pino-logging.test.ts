import { Writable } from 'node:stream';
import { MemoryStore } from '@celeriac/memory';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Celeriac, type Logger, consoleLogger, envLogLevel } from '../src/index.js';

/** A real pino logger writing JSON lines to memory. */
function pinoLines(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;
const apps: Celeriac[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

describe('logging through a real pino logger', () => {
  it('logs the start-up banner, one info line per task outcome with its fields, and a failure at error with its stack', async () => {
    const { logger, lines } = pinoLines();
    const app = new Celeriac({ store: new MemoryStore(), logger: logger as unknown as Logger });
    apps.push(app);
    const ok = app.task({ name: 'log.ok', queue: 'reports' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 12));
      return 1;
    });
    const bad = app.task({ name: 'log.bad', queue: 'reports' }, () => {
      throw new RangeError('out of paper');
    });
    const worker = app.worker({ concurrency: 3, pollInterval: 20 });
    await worker.start();
    const banner = lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith(`worker ${worker.id} ready`));
    expect(banner).toMatchObject({
      level: LEVEL.info,
      msg: expect.stringMatching(/^worker \S+ ready: celeriac \d+\.\d+\.\d+\S*, store MemoryStore, queues reports, concurrency 3 \(inline pool\), 2 tasks: log\.ok, log\.bad$/),
      worker: worker.id,
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      store: 'MemoryStore',
      queues: ['reports'],
      concurrency: 3,
      pool: 'inline',
      tasks: ['log.ok', 'log.bad'],
    });

    const done = await ok.delay();
    await done.wait({ timeout: 2_000 });
    const failed = await bad.delay();
    await expect(failed.wait({ timeout: 2_000 })).rejects.toThrow('out of paper');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const about = (id: string) => lines.filter((l) => l.taskId === id);
    expect(about(done.id)).toEqual([
      expect.objectContaining({ level: LEVEL.info, msg: `task log.ok[${done.id}] received`, taskId: done.id, task: 'log.ok', attempt: 1, worker: worker.id, deliveries: 1 }),
      expect.objectContaining({ level: LEVEL.info, msg: expect.stringMatching(new RegExp(`^task log\\.ok\\[${done.id}\\] succeeded in \\d+ ms$`)), taskId: done.id, task: 'log.ok', attempt: 1, worker: worker.id, runtimeMs: expect.any(Number) }),
    ]);
    expect(about(done.id)[1]?.runtimeMs as number).toBeGreaterThanOrEqual(10);
    expect(about(failed.id)).toEqual([
      expect.objectContaining({ level: LEVEL.info, msg: `task log.bad[${failed.id}] received` }),
      expect.objectContaining({
        level: LEVEL.error,
        msg: 'task log.bad failed: out of paper',
        taskId: failed.id,
        task: 'log.bad',
        attempt: 1,
        error: expect.objectContaining({ type: 'RangeError', message: 'out of paper', stack: expect.stringContaining('RangeError: out of paper') }),
      }),
    ]);
    await worker.close();
    expect(lines.at(-1)).toMatchObject({ level: LEVEL.info, msg: `worker ${worker.id} closed`, worker: worker.id });
  });

  it('writes no per-task line to a logger at warn', async () => {
    const { logger, lines } = pinoLines('warn');
    const app = new Celeriac({ store: new MemoryStore(), logger: logger as unknown as Logger });
    apps.push(app);
    const ok = app.task({ name: 'log.quiet' }, () => 1);
    const worker = app.worker({ pollInterval: 20 });
    const received: string[] = [];
    await worker.start();
    await (await ok.delay()).wait({ timeout: 2_000 });
    expect(lines).toEqual([]);
    // Events still reach the app's own listeners.
    worker.on('task-received', (e) => void received.push(e.taskId));
    await (await ok.delay()).wait({ timeout: 2_000 });
    expect(received).toHaveLength(1);
    expect(lines).toEqual([]);
  });
});

describe('CELERIAC_LOG', () => {
  it('sets the console logger level, any case; unset is warn; anything else is refused naming the variable', () => {
    expect(envLogLevel(undefined)).toBe('warn');
    expect(envLogLevel('INFO')).toBe('info');
    expect(envLogLevel(' debug ')).toBe('debug');
    expect(envLogLevel('silent')).toBe('silent');
    expect(() => envLogLevel('verbose')).toThrow('option "CELERIAC_LOG" must be one of debug, info, warn, error, silent, got "verbose"');
  });

  it('a console logger writes lines at and above its level only', () => {
    const written: string[] = [];
    const original = console.error;
    console.error = (line: string) => void written.push(line);
    try {
      const logger = consoleLogger('info');
      logger.debug('hidden');
      logger.info('shown', { a: 1 });
      consoleLogger('silent').error('never');
    } finally {
      console.error = original;
    }
    expect(written).toEqual(['[celeriac] info shown {"a":1}']);
  });
});
