import type { TaskRecord, TaskView } from '@celeriac/core';
import type { Command } from 'commander';
import { type CommandContext, runAction } from '../context.js';
import { CliError, EXIT_CODES } from '../exit-codes.js';
import { showJson, table } from '../output.js';
import { when } from '../time.js';

/** `celeriac status <id>`: one task's view (or its record). Exits 0 whatever its state; 4 if the id has no record. */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .alias('result')
    .description('show a task: state, attempt, arguments, queue, progress, result or error, and its timeline with the worker of each run (exit 4 if the id has no record)')
    .argument('<id>', 'the task id (as printed by celeriac call or returned by delay())')
    .action((id: string, _flags: unknown, command: Command) => runAction(command, (ctx) => status(ctx, id), { warnMemory: true }));
}

async function status(ctx: CommandContext, id: string) {
  const found = await lookUp(ctx, id);
  if (found === null) {
    throw new CliError('not_found', `no task with id ${id}: it was never enqueued, or its record expired or was forgotten`, { id });
  }
  ctx.out.result(found, () => describe(found));
  return EXIT_CODES.OK;
}

/**
 * The task's full view (`app.tasks.view`: arguments, queue, timeline), or its record alone where
 * the store cannot give a view: status works on every store, and shows more where it can.
 */
async function lookUp(ctx: CommandContext, id: string): Promise<TaskView | TaskRecord | null> {
  try {
    return await ctx.app.tasks.view(id);
  } catch (error) {
    if (process.env.CELERIAC_DEBUG === '1') ctx.out.note(`celeriac: no task view (${error instanceof Error ? error.message : String(error)}); showing the record`);
    return (await ctx.store()).get(id);
  }
}

function isView(found: TaskView | TaskRecord): found is TaskView {
  return Array.isArray((found as Partial<TaskView>).timeline);
}

function describe(found: TaskView | TaskRecord): string {
  const rows: [string, string][] = [
    ['id', found.id],
    ['task', found.task],
    ['state', found.state],
    ['attempt', String(found.attempt)],
    ['updated', when(found.updatedAt)],
  ];
  if (isView(found)) {
    if (found.queue !== null) rows.push(['queue', found.queue]);
    rows.push(['args', found.args === null ? '(no longer kept)' : showJson(found.args)]);
  }
  if (found.worker !== undefined) rows.push(['worker', found.worker]);
  if (found.meta !== undefined) rows.push(['meta', showJson(found.meta)]);
  if (found.state === 'SUCCESS') rows.push(['result', showJson(found.result)]);
  if (found.error !== undefined) rows.push(['error', `${found.error.type}: ${found.error.message}`]);
  const lines = rows.map(([k, v]) => `${k.padEnd(8)} ${v}`);
  if (found.error?.stack !== undefined) lines.push(found.error.stack.replace(/^/gm, '  '));
  if (isView(found) && found.timeline.length > 0) {
    const first = (found.timeline[0] as { at: number }).at;
    const steps = found.timeline.map((t) => [new Date(t.at).toISOString(), `+${t.at - first} ms`, t.state, String(t.attempt), t.worker ?? '']);
    lines.push('', table(['AT', 'SINCE SENT', 'STATE', 'ATTEMPT', 'WORKER'], steps));
  }
  return lines.join('\n');
}
