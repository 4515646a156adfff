import type { TaskRecord, TaskState } from '@celeriac/core';
import { type Command, InvalidArgumentError } from 'commander';
import { type CommandContext, runAction } from '../context.js';
import { CliError, EXIT_CODES } from '../exit-codes.js';
import { table } from '../output.js';
import { parseName, parseNonNegativeInt, parsePositiveInt } from '../parse.js';
import { ago } from '../time.js';

interface TasksFlags {
  state?: TaskState;
  task?: string;
  queue?: string;
  limit?: number;
  offset?: number;
}

/** `celeriac tasks`: counts by state; with `--state`, the tasks in that state, newest first. */
export function registerTasks(program: Command): void {
  program
    .command('tasks')
    .description('how many tasks are in each state; with --state, the tasks in that state, newest change first')
    .option('-s, --state <state>', 'list the tasks in this state: PENDING, STARTED, RETRY, SUCCESS, FAILURE, REVOKED or a user state', parseState)
    .option('--task <name>', 'with --state: only tasks of this name', parseName)
    .option('--queue <name>', 'with --state: only tasks sent to this queue', parseName)
    .option('--limit <n>', 'with --state: tasks per page (default: 20)', parsePositiveInt)
    .option('--offset <n>', 'with --state: skip this many first', parseNonNegativeInt)
    .action((flags: TasksFlags, command: Command) => runAction(command, (ctx) => (flags.state === undefined ? counts(ctx, flags) : list(ctx, flags.state, flags)), { warnMemory: true }));
}

function parseState(value: string): TaskState {
  const state = value.trim().toUpperCase();
  if (!/^[A-Z][A-Z0-9_]*$/.test(state)) throw new InvalidArgumentError('Give a task state, e.g. FAILURE or SUCCESS.');
  return state as TaskState;
}

async function counts(ctx: CommandContext, flags: TasksFlags) {
  if (flags.task !== undefined || flags.queue !== undefined || flags.limit !== undefined || flags.offset !== undefined) {
    throw new CliError('usage', '--task, --queue, --limit and --offset select a listing: add --state, e.g. celeriac tasks --state FAILURE --task send-email');
  }
  const byState = await ctx.app.tasks.counts();
  ctx.out.result(byState, () => `${table(['STATE', 'TASKS'], Object.entries(byState).map(([state, n]) => [state, String(n)]))}\n(list them with celeriac tasks --state <STATE>)`);
  return EXIT_CODES.OK;
}

async function list(ctx: CommandContext, state: TaskState, flags: TasksFlags) {
  const { task, queue } = flags;
  const page = await ctx.app.tasks.list({ state, limit: flags.limit ?? 20, offset: flags.offset ?? 0, ...(task === undefined ? {} : { task }), ...(queue === undefined ? {} : { queue }) });
  ctx.out.result(page, () => describe(page.tasks, page.next, state, flags));
  return EXIT_CODES.OK;
}

function describe(tasks: readonly TaskRecord[], next: number | null, state: TaskState, flags: TasksFlags): string {
  const of = `${flags.task === undefined ? '' : ` of ${flags.task}`}${flags.queue === undefined ? '' : ` in queue ${flags.queue}`}`;
  if (tasks.length === 0) return `no ${state} tasks${of}`;
  const now = Date.now();
  const rows = tasks.map((t) => [t.id, t.task, String(t.attempt), ago(t.updatedAt, now), t.worker ?? '-', t.error === undefined ? '' : `${t.error.type}: ${t.error.message}`]);
  const filters = `${flags.task === undefined ? '' : ` --task ${flags.task}`}${flags.queue === undefined ? '' : ` --queue ${flags.queue}`}`;
  const more = next === null ? '' : `\n(more: celeriac tasks --state ${state}${filters} --offset ${next})`;
  return table(['ID', 'TASK', 'ATTEMPT', 'UPDATED', 'WORKER', 'ERROR'], rows) + more;
}
