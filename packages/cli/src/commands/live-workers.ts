import type { WorkerInfo } from '@celeriac/core';
import type { CommandContext } from '../context.js';
import { CliError } from '../exit-codes.js';

/** The live workers (`app.workers.list()`); none is an error scripts can tell apart (exit 8). */
export async function liveWorkers(ctx: CommandContext): Promise<WorkerInfo[]> {
  const workers = await ctx.app.workers.list();
  if (workers.length === 0) {
    throw new CliError('no_worker', 'no live worker: none has sent a heartbeat lately. Start one with celeriac worker --app <your app>, and check it uses the same store (the same REDIS_URL and prefix) as this command');
  }
  return workers;
}
