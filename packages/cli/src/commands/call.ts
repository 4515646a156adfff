import { type ApplyOptions, type AsyncResult, readAnnouncement } from '@celeriac/core';
import type { Command } from 'commander';
import { type CommandContext, runAction } from '../context.js';
import { CliError, EXIT_CODES } from '../exit-codes.js';
import { showJson } from '../output.js';
import { parseDuration, parseNonNegativeInt } from '../parse.js';
import { ProgressDisplay } from '../progress.js';

interface CallFlags {
  queue?: string;
  countdown?: number;
  priority?: number;
  wait?: boolean;
  timeout?: number;
  progress: boolean;
  workerCheck: boolean;
}

/** `celeriac call <task> [json-args]`: enqueue a task by name; with `--wait`, follow it to its end. */
export function registerCall(program: Command): void {
  program
    .command('call')
    .description('enqueue a task by name and print its id; with --wait, follow it (a progress bar on stderr) and print its result')
    .argument('<task>', 'the task\'s registered name')
    .argument('[json-args]', 'the arguments as a JSON array, e.g. \'[2, 3]\'', '[]')
    .option('--queue <name>', 'send to this queue instead of the task\'s own')
    .option('--countdown <duration>', 'run no earlier than this from now: seconds, or with ms, s, m or h', parseDuration)
    .option('--priority <n>', 'priority from 0 to 9, higher first', parseNonNegativeInt)
    .option('-w, --wait', 'wait for the result; exit non-zero if the task fails, is revoked or times out')
    .option('-t, --timeout <duration>', 'with --wait: give up after this long (the task goes on); implies --wait', parseDuration)
    .option('--no-progress', 'with --wait: no progress bar or state lines on stderr')
    .option('--no-worker-check', 'enqueue even if no live worker serves the task (for a worker that starts later)')
    .action((task: string, json: string, flags: CallFlags, command: Command) => runAction(command, (ctx) => call(ctx, task, json, flags), { warnMemory: true }));
}

async function call(ctx: CommandContext, task: string, json: string, flags: CallFlags) {
  const args = parseArgs(json, task);
  if (flags.workerCheck) await checkServed(ctx, task);
  const options: ApplyOptions = {
    ...(flags.queue === undefined ? {} : { queue: flags.queue }),
    ...(flags.countdown === undefined ? {} : { countdown: flags.countdown }),
    ...(flags.priority === undefined ? {} : { priority: flags.priority }),
  };
  const result = await ctx.app.send(task, args, options);
  if (flags.wait !== true && flags.timeout === undefined) {
    ctx.out.result({ id: result.id, task, state: 'PENDING' }, () => result.id);
    return EXIT_CODES.OK;
  }
  return waitFor(ctx, result, task, flags);
}

function parseArgs(json: string, task: string): unknown[] {
  let args: unknown;
  try {
    args = JSON.parse(json);
  } catch (error) {
    throw new CliError('usage', `the arguments of ${task} are not valid JSON (${(error as Error).message}): give a JSON array, e.g. celeriac call ${task} '[2, 3]'`);
  }
  if (!Array.isArray(args)) throw new CliError('usage', `the arguments of ${task} must be a JSON array of its arguments, e.g. '[${JSON.stringify(args)}]', got ${json}`);
  return args;
}

/** Refuses to enqueue what no live worker would run: it would stay PENDING with nothing said. */
async function checkServed(ctx: CommandContext, task: string): Promise<void> {
  if ((await readAnnouncement(await ctx.store(), task)) !== null) return;
  const registered = ctx.app.registry.names();
  if (!registered.includes(task)) {
    throw new CliError('not_found', `no task named ${task}: the app registers ${registered.join(', ') || 'no tasks'}, and no live worker serves ${task} (see celeriac inspect registered)`, { task });
  }
  throw new CliError('no_worker', `no live worker serves ${task}, so nothing was enqueued: start one with celeriac worker (it serves every task the app registers), or pass --no-worker-check to enqueue it for a worker that starts later`, { task });
}

async function waitFor(ctx: CommandContext, result: AsyncResult, task: string, flags: CallFlags) {
  const display = flags.progress ? new ProgressDisplay() : undefined;
  const stop = display === undefined ? undefined : result.subscribe((record) => display.update(record));
  try {
    const value = await result.wait(flags.timeout === undefined ? {} : { timeout: flags.timeout });
    stop?.();
    display?.stop();
    ctx.out.result({ id: result.id, task, state: 'SUCCESS', result: value }, () => showJson(value));
    return EXIT_CODES.OK;
  } catch (error) {
    stop?.();
    display?.stop();
    throw explainWaitError(error, result.id, task);
  }
}

/** The wait's errors as exit codes (recognised by name: the app's copy of core may not be ours). */
function explainWaitError(error: unknown, id: string, task: string): unknown {
  if (!(error instanceof Error)) return error;
  const details = { id, task };
  switch (error.name) {
    case 'TaskFailedError': {
      const remote = (error as Error & { remote?: { type: string; message: string; stack?: string } }).remote;
      const stack = remote?.stack === undefined ? '' : `\n${remote.stack}`;
      return new CliError('task_failed', `${task} ${id} failed: ${remote?.type ?? 'Error'}: ${remote?.message ?? error.message}${stack}`, { ...details, error: remote });
    }
    case 'TaskRevokedError':
      return new CliError('task_revoked', `${task} ${id} was revoked: ${error.message}`, details);
    case 'WaitTimeoutError':
      return new CliError('timeout', `${error.message} (the task goes on: follow it with celeriac status ${id})`, details);
    default:
      return error;
  }
}
