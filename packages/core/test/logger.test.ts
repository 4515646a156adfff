import { describe, expect, it } from 'vitest';
import { Celeriac, type TaskContext } from '../src/index.js';

/** A logger shaped like pino's: fields first, then the message; `child` and `bindings` as pino has them. */
function pinoLike() {
  const lines: { level: string; fields: Record<string, unknown>; message: string | undefined }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message?: string) => lines.push({ level, fields, message });
  const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger, bindings: () => ({}) };
  return { logger, lines };
}

describe('logging', () => {
  it('adapts a pino logger as it is: fields arrive as fields, the message as the message', async () => {
    const { logger, lines } = pinoLike();
    const app = new Celeriac({ logger: logger as never });
    const failing = app.task({ name: 'log.fail' }, () => {
      throw new TypeError('the disk is full');
    });
    await app.worker({ pollInterval: 20 }).start();
    const result = await failing.delay();
    await expect(result.wait({ timeout: 2_000 })).rejects.toMatchObject({ code: 'TASK_FAILED' });
    const failure = lines.find((l) => l.message?.startsWith('task log.fail failed'));
    expect(failure).toMatchObject({
      level: 'error',
      message: 'task log.fail failed: the disk is full',
      fields: { taskId: result.id, task: 'log.fail', attempt: 1, error: { type: 'TypeError', message: 'the disk is full', stack: expect.stringContaining('TypeError: the disk is full') } },
    });
    await app.close();
  });

  it('gives a bound task a logger carrying its id, name and attempt', async () => {
    const { logger, lines } = pinoLike();
    const app = new Celeriac({ logger: logger as never });
    const chatty = app.task({ name: 'log.chatty', bind: true }, (ctx: TaskContext) => {
      ctx.logger.info('halfway', { rows: 3 });
      return 1;
    });
    await app.worker({ pollInterval: 20 }).start();
    const result = await chatty.delay();
    expect(await result.wait({ timeout: 2_000 })).toBe(1);
    expect(lines.find((l) => l.message === 'halfway')).toMatchObject({ level: 'info', fields: { taskId: result.id, task: 'log.chatty', attempt: 1, rows: 3 } });
    await app.close();
  });
});
