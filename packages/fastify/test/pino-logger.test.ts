import { Writable } from 'node:stream';
import { Celeriac } from '@celeriac/core';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';

describe("Fastify's logger (pino) as the app's logger", () => {
  it('keeps the fields of every line: a failure names the task, its id and the error with its stack', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const server = Fastify({ logger: { level: 'info', stream } });
    const app = new Celeriac({ logger: server.log });
    const failing = app.task({ name: 'pino.fail' }, () => {
      throw new RangeError('out of range');
    });
    await app.worker({ pollInterval: 20 }).start();
    try {
      const result = await failing.delay();
      await expect(result.wait({ timeout: 2_000 })).rejects.toMatchObject({ code: 'TASK_FAILED' });
      const failure = lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('task pino.fail failed'));
      expect(failure).toMatchObject({ level: 50, msg: 'task pino.fail failed: out of range', taskId: result.id, task: 'pino.fail', attempt: 1, error: { type: 'RangeError', message: 'out of range' } });
      expect((failure?.error as { stack?: string }).stack).toContain('RangeError: out of range');
    } finally {
      await app.close();
      await server.close();
    }
  });
});
