import type { Command } from 'commander';
import { type CommandContext, runAction } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';
import { knownQueue } from './known-queue.js';

/** `celeriac pause <queue>` and `celeriac resume <queue>`: workers stop (or start again) taking its tasks; enqueues go on. */
export function registerPauseResume(program: Command): void {
  program
    .command('pause')
    .description('pause a queue: no worker takes its tasks until it is resumed (tasks can still be sent to it)')
    .argument('<queue>', 'the queue\'s name (see celeriac queues)')
    .action((queue: string, _flags: unknown, command: Command) => runAction(command, (ctx) => setPaused(ctx, queue, true)));
  program
    .command('resume')
    .description('resume a paused queue: workers take its tasks again')
    .argument('<queue>', 'the queue\'s name (see celeriac queues)')
    .action((queue: string, _flags: unknown, command: Command) => runAction(command, (ctx) => setPaused(ctx, queue, false)));
}

async function setPaused(ctx: CommandContext, name: string, paused: boolean) {
  const before = await knownQueue(ctx, name);
  if (paused) await ctx.app.queues.pause(name);
  else await ctx.app.queues.resume(name);
  const verb = paused ? 'paused' : 'resumed';
  const already = before.paused === paused;
  ctx.out.result({ queue: name, paused, changed: !already }, () => (already ? `queue ${name} was already ${paused ? 'paused' : 'running'}` : `${verb} queue ${name}${paused ? ` (${before.waiting} waiting; resume it with celeriac resume ${name})` : ''}`));
  return EXIT_CODES.OK;
}
