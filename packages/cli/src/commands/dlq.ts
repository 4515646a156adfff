import type { DeadLetter } from '@celeriac/core';
import type { Command } from 'commander';
import { runAction } from '../context.js';
import { CliError, EXIT_CODES } from '../exit-codes.js';
import { table } from '../output.js';
import { parseNonNegativeInt, parsePositiveInt } from '../parse.js';

/** `celeriac dlq list|requeue|purge`: the dead-letter queue (`app.deadLetters`). */
export function registerDlq(program: Command): void {
  const dlq = program.command('dlq').description('the dead-letter queue: messages that could not run (malformed, past the delivery limit, failed with deadLetter on)');

  dlq
    .command('list')
    .description('list dead letters, oldest first')
    .option('--limit <n>', 'letters per page (default: 100)', parsePositiveInt)
    .option('--offset <n>', 'skip this many letters first', parseNonNegativeInt)
    .action((flags: { limit?: number; offset?: number }, command: Command) =>
      runAction(command, async ({ app, out }) => {
        const page = await app.deadLetters.list({ limit: flags.limit ?? 100, offset: flags.offset ?? 0 });
        out.result(page, () => describe(page.letters, page.next));
        return EXIT_CODES.OK;
      }, { warnMemory: true }),
    );

  dlq
    .command('requeue')
    .description('put a dead letter back on its queue to run again (its FAILURE record goes back to PENDING); --all for every letter')
    .argument('[id]', 'the letter\'s id (the task id, as dlq list shows)')
    .option('--all', 'requeue every letter')
    .action((id: string | undefined, flags: { all?: boolean }, command: Command) =>
      runAction(command, async ({ app, out }) => {
        if ((id === undefined) === (flags.all !== true)) throw new CliError('usage', 'dlq requeue takes a letter id or --all (not both)');
        if (id === undefined) {
          const count = await app.deadLetters.requeueAll();
          out.result({ requeued: count }, () => `requeued ${count} dead letter${count === 1 ? '' : 's'}`);
          return EXIT_CODES.OK;
        }
        if (!(await app.deadLetters.requeue(id))) throw new CliError('not_found', `no dead letter with id ${id} (see celeriac dlq list)`, { id });
        out.result({ requeued: 1, id }, () => `requeued ${id}`);
        return EXIT_CODES.OK;
      }, { warnMemory: true }),
    );

  dlq
    .command('purge')
    .description('delete the named dead letters, or all of them')
    .argument('[ids...]', 'letter ids (default: every letter)')
    .action((ids: string[], _flags: unknown, command: Command) =>
      runAction(command, async ({ app, out }) => {
        const count = await app.deadLetters.purge(ids.length === 0 ? undefined : ids);
        out.result({ purged: count }, () => `purged ${count} dead letter${count === 1 ? '' : 's'}`);
        return EXIT_CODES.OK;
      }, { warnMemory: true }),
    );
}

function describe(letters: readonly DeadLetter[], next: number | null): string {
  if (letters.length === 0) return 'no dead letters';
  const rows = letters.map((l) => [l.id, l.queue, taskOf(l.raw), new Date(l.deadAt).toISOString(), l.reason]);
  const more = next === null ? '' : `\n(more: celeriac dlq list --offset ${next})`;
  return table(['ID', 'QUEUE', 'TASK', 'DEAD-LETTERED', 'REASON'], rows) + more;
}

/** The task name of a stored message, if it reads as one (a malformed message may not). */
function taskOf(raw: string): string {
  try {
    const task = (JSON.parse(raw) as { task?: unknown } | null)?.task;
    return typeof task === 'string' ? task : '?';
  } catch {
    return '?';
  }
}
