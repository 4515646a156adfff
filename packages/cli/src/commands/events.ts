import type { CeleriacEvent } from '@celeriac/core';
import { type Command, InvalidArgumentError } from 'commander';
import { type CommandContext, runAction } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';
import { parseDuration } from '../parse.js';

/** `celeriac events`: a live tail of the queue-wide event stream (Celery's `events`, BullMQ's `QueueEvents`). */
export function registerEvents(program: Command): void {
  program
    .command('events')
    .description('a live tail of the queue-wide event stream, one line per event (a JSON line with --json), until SIGINT or SIGTERM. Workers append to it with events on (celeriac worker --events, or the app\'s events: true)')
    .option('--since <when>', 'first the stored events from then on: a duration ago (30s, 5m, 1h) or a date (2025-01-31T10:00:00Z)', parseSince)
    .action((flags: { since?: number }, command: Command) => runAction(command, (ctx) => tail(ctx, flags.since), { warnMemory: true }));
}

function parseSince(value: string): number {
  if (/^\d+(\.\d+)?(ms|s|m|h)?$/.test(value.trim())) return Date.now() - parseDuration(value);
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new InvalidArgumentError('Give a duration ago (30s, 5m, 1h) or a date and time (2025-01-31T10:00:00Z).');
  return at;
}

async function tail(ctx: CommandContext, since: number | undefined) {
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const unfollow = await ctx.app.events.follow((event) => ctx.out.line(event, describe(event)), since === undefined ? {} : { since });
  await explainIfOff(ctx);
  await stopped;
  unfollow();
  return EXIT_CODES.OK;
}

/**
 * The stream is off by default (it costs a write per burst of tasks): a tail that stays silent
 * because no worker appends to it must say so, and how to turn it on.
 */
async function explainIfOff(ctx: CommandContext): Promise<void> {
  const workers = await ctx.app.workers.list();
  const howTo = 'Turn it on with celeriac worker --events (-E), or new Celeriac({ events: true }) in the app module for every worker and producer of the app';
  if (workers.length === 0) {
    ctx.out.note(`celeriac: no live worker at the moment: waiting for events. Workers append them only with the event stream on. ${howTo}.`);
  } else if (workers.every((w) => w.events === false)) {
    ctx.out.note(`celeriac: the event stream is off: none of the ${workers.length} live worker${workers.length === 1 ? '' : 's'} (${workers.map((w) => w.id).join(', ')}) appends to it, so only producers with events on show here. ${howTo}, then restart the workers.`);
  }
}

/** One event for people: time, name, then what it is about. */
function describe(event: CeleriacEvent): string {
  const time = new Date(event.at).toISOString();
  const parts: string[] = [time, event.type];
  if ('taskId' in event) parts.push(`${event.task}[${event.taskId}]`, `attempt ${event.attempt}`);
  if ('worker' in event && !('info' in event)) parts.push(`worker ${event.worker}`);
  switch (event.type) {
    case 'task-sent':
      parts.push(`queue ${event.queue}`);
      break;
    case 'task-succeeded':
      parts.push(`in ${event.runtimeMs} ms`);
      break;
    case 'task-failed':
      parts.push(`after ${event.runtimeMs} ms: ${event.error.type}: ${event.error.message}`);
      break;
    case 'task-retried':
      parts.push(`again in ${event.countdown} ms${event.error === undefined ? '' : `: ${event.error.message}`}`);
      break;
    case 'task-progress':
      parts.push(event.state, ...(event.meta === undefined ? [] : [JSON.stringify(event.meta)]));
      break;
    case 'task-revoked':
    case 'task-dead-lettered':
      parts.push(event.reason);
      break;
    case 'worker-online':
    case 'worker-heartbeat':
      parts.push(`worker ${event.worker}`, `${event.info.running.length}/${event.info.concurrency} busy, ${event.info.processed} processed`);
      break;
    default:
      break;
  }
  return parts.join('  ');
}
