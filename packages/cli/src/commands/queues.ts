import type { QueueInfo } from '@celeriac/core';
import type { Command } from 'commander';
import { runAction } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';
import { table } from '../output.js';
import { span } from '../time.js';

/** `celeriac queues`: every queue with its counts, the age of its oldest waiting task, and whether it is paused. */
export function registerQueues(program: Command): void {
  program
    .command('queues')
    .description('the queues: waiting, delayed and running counts, the age of the oldest waiting task, paused or not')
    .action((_flags: unknown, command: Command) =>
      runAction(command, async ({ app, out }) => {
        const queues = await app.queues.list();
        // Queues the app routes tasks to but no message reached yet are shown too, empty.
        const names = new Set(queues.map((q) => q.name));
        const empty = app.registry.queues().filter((name) => !names.has(name)).map((name): QueueInfo => ({ name, waiting: 0, delayed: 0, running: 0, oldestWaitingAt: null, paused: false }));
        const all = [...queues, ...empty].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        const now = Date.now();
        out.result({ queues: all }, () => {
          if (all.length === 0) return 'no queues yet';
          const rows = all.map((q) => [q.name, String(q.waiting), String(q.delayed), String(q.running), q.oldestWaitingAt === null ? '-' : span(now - q.oldestWaitingAt), q.paused ? 'yes' : 'no']);
          return table(['QUEUE', 'WAITING', 'DELAYED', 'RUNNING', 'OLDEST WAITING', 'PAUSED'], rows);
        });
        return EXIT_CODES.OK;
      }),
    );
}
