import type { Command } from 'commander';
import { type CommandContext, runAction } from '../context.js';
import { CliError, EXIT_CODES } from '../exit-codes.js';

/** `celeriac retry <id>` / `celeriac retry --failed <task>`: run FAILURE tasks again with their arguments. */
export function registerRetry(program: Command): void {
  program
    .command('retry')
    .description('run a failed task again (a new attempt, same arguments); --failed <task> for every listed failure of a task name')
    .argument('[id]', 'the id of a task in FAILURE')
    .option('--failed <task>', 'retry every listed FAILURE of this task name')
    .action((id: string | undefined, flags: { failed?: string }, command: Command) =>
      runAction(command, (ctx) => {
        if ((id === undefined) === (flags.failed === undefined)) throw new CliError('usage', 'retry takes a task id, or --failed <task name> (not both)');
        return id === undefined ? retryFailed(ctx, flags.failed as string) : retryOne(ctx, id);
      }, { warnMemory: true }),
    );
}

async function retryOne(ctx: CommandContext, id: string) {
  const record = await (await ctx.store()).get(id);
  if (record === null) throw new CliError('not_found', `no task with id ${id}: it was never enqueued, or its record expired or was forgotten`, { id });
  if (record.state !== 'FAILURE') {
    throw new CliError('usage', `task ${id} is ${record.state}, not FAILURE: only a failed task can be retried (see celeriac status ${id})`, { id, state: record.state });
  }
  if (!(await ctx.app.tasks.retry(id))) {
    // It was FAILURE a moment ago: its message is no longer kept (or another retry took it first).
    throw new CliError('not_found', `task ${id} cannot be retried: the store no longer keeps its message (finished tasks are kept within the store's taskListLimit / taskListTtl), or it was just retried by someone else`, { id });
  }
  ctx.out.result({ id, task: record.task, retried: 1, attempt: record.attempt + 1 }, () => `retried ${record.task} ${id} (attempt ${record.attempt + 1}; follow it with celeriac status ${id})`);
  return EXIT_CODES.OK;
}

async function retryFailed(ctx: CommandContext, task: string) {
  const retried = await ctx.app.tasks.retryFailed(task);
  if (retried === 0 && !ctx.app.registry.names().includes(task)) {
    throw new CliError('not_found', `no task named ${task}: the app registers ${ctx.app.registry.names().join(', ') || 'no tasks'}`, { task });
  }
  ctx.out.result({ task, retried }, () => `retried ${retried} failed ${task} task${retried === 1 ? '' : 's'}`);
  return EXIT_CODES.OK;
}
