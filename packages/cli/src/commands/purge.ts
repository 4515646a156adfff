import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { type CommandContext, runAction } from '../context.js';
import { CliError, EXIT_CODES } from '../exit-codes.js';
import { knownQueue } from './known-queue.js';

/** `celeriac purge <queue>`: deletes its waiting and delayed tasks (their records become REVOKED); asks first on a terminal. */
export function registerPurge(program: Command): void {
  program
    .command('purge')
    .description('delete every waiting and delayed task of a queue (their records become REVOKED, running tasks go on); asks first on a terminal')
    .argument('<queue>', 'the queue\'s name (see celeriac queues)')
    .option('-f, --yes', 'do not ask for confirmation')
    .action((queue: string, flags: { yes?: boolean }, command: Command) => runAction(command, (ctx) => purge(ctx, queue, flags.yes === true)));
}

async function purge(ctx: CommandContext, name: string, yes: boolean) {
  const queue = await knownQueue(ctx, name);
  // Only a person at a terminal can answer; a script's `purge` does what it says.
  if (!yes && process.stdin.isTTY === true) {
    const question = `Delete the ${queue.waiting} waiting and ${queue.delayed} delayed tasks of queue ${name}? This cannot be undone. [y/N] `;
    if (!(await confirm(question))) throw new CliError('error', `purge of queue ${name} cancelled: nothing was deleted (pass --yes to skip this question)`, { queue: name });
  }
  const purged = await ctx.app.queues.purge(name);
  ctx.out.result({ queue: name, purged }, () => `purged ${purged} task${purged === 1 ? '' : 's'} from queue ${name}`);
  return EXIT_CODES.OK;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
