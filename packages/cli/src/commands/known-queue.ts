import type { QueueInfo } from '@celeriac/core';
import type { CommandContext } from '../context.js';
import { CliError } from '../exit-codes.js';

/**
 * The queue named `name`, as the store knows it (a queue a message was sent to, or a paused one),
 * or one the app's tasks are routed to (no message yet: all counts 0). Anything else is a typo
 * as far as we can tell: refused with the known names (exit 4), so `purge defualt` never
 * "succeeds" on a queue nobody uses.
 */
export async function knownQueue(ctx: CommandContext, name: string): Promise<QueueInfo> {
  const queues = await ctx.app.queues.list();
  const found = queues.find((q) => q.name === name);
  if (found !== undefined) return found;
  if (ctx.app.registry.queues().includes(name)) return { name, waiting: 0, delayed: 0, running: 0, oldestWaitingAt: null, paused: false };
  const known = [...new Set([...queues.map((q) => q.name), ...ctx.app.registry.queues()])].sort();
  throw new CliError('not_found', `no queue named ${name}: the known queues are ${known.join(', ') || 'none yet'} (see celeriac queues)`, { queue: name, known });
}
