import type { Command } from 'commander';
import { type CommandContext, runAction } from '../context.js';
import { CliError, EXIT_CODES } from '../exit-codes.js';

/** `celeriac scheduler` (Celery's beat): enqueues the app's periodic tasks when due, until SIGTERM or SIGINT. */
export function registerScheduler(program: Command): void {
  program
    .command('scheduler')
    .alias('beat')
    .description('run the scheduler (Celery\'s beat): enqueue the app\'s periodic tasks when due, until SIGTERM or SIGINT. Any number may run: each due run is enqueued once')
    .action((_flags: unknown, command: Command) => runAction(command, runScheduler, { logAtInfo: true }));
}

async function runScheduler(ctx: CommandContext) {
  const schedules = ctx.app.registry.schedules();
  if (schedules.length === 0) {
    throw new CliError('app', 'the app has no periodic tasks to schedule: add @schedule() to a task or call app.schedule(handle, { every | cron }) in the app module');
  }
  const scheduler = ctx.app.scheduler(ctx.config?.scheduler);
  await scheduler.start();
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const now = Date.now();
  const list = schedules.map((s) => ({ name: s.name, task: s.task, schedule: s.describe, nextRun: new Date(s.nextAfter(now)).toISOString() }));
  ctx.out.line({ event: 'scheduler-ready', pid: process.pid, schedules: list }, `celeriac scheduler ready: ${list.map((s) => `${s.name} (${s.task}, ${s.schedule}, next ${s.nextRun})`).join('; ')}`);
  const signal = await stopped;
  ctx.out.note(`received ${signal}: closing the scheduler`);
  await scheduler.close();
  ctx.out.line({ event: 'scheduler-stopped' }, 'celeriac scheduler stopped');
  return EXIT_CODES.OK;
}
