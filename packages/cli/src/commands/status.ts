import type { TaskRecord } from '@celeriac/core';
import type { Command } from 'commander';
import { type CommandContext, runAction } from '../context.js';
import { CliError, EXIT_CODES } from '../exit-codes.js';
import { showJson } from '../output.js';

/** `celeriac status <id>`: one task's stored record. Exits 0 whatever its state; 4 if the id has no record. */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .alias('result')
    .description('show a task\'s state, attempt, progress and result or error (exit 4 if the id has no record)')
    .argument('<id>', 'the task id (as printed by celeriac call or returned by delay())')
    .action((id: string, _flags: unknown, command: Command) => runAction(command, (ctx) => status(ctx, id), { warnMemory: true }));
}

async function status(ctx: CommandContext, id: string) {
  const record = await (await ctx.store()).get(id);
  if (record === null) {
    throw new CliError('not_found', `no task with id ${id}: it was never enqueued, or its record expired or was forgotten`, { id });
  }
  ctx.out.result(record, () => describe(record));
  return EXIT_CODES.OK;
}

function describe(record: TaskRecord): string {
  const rows: [string, string][] = [
    ['id', record.id],
    ['task', record.task],
    ['state', record.state],
    ['attempt', String(record.attempt)],
    ['updated', `${new Date(record.updatedAt).toISOString()} (${ago(record.updatedAt)})`],
  ];
  if (record.meta !== undefined) rows.push(['meta', showJson(record.meta)]);
  if (record.state === 'SUCCESS') rows.push(['result', showJson(record.result)]);
  if (record.error !== undefined) rows.push(['error', `${record.error.type}: ${record.error.message}`]);
  const lines = rows.map(([k, v]) => `${k.padEnd(8)} ${v}`);
  if (record.error?.stack !== undefined) lines.push(record.error.stack.replace(/^/gm, '  '));
  return lines.join('\n');
}

function ago(at: number): string {
  const s = Math.max(0, Math.round((Date.now() - at) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}
