import type { Command } from 'commander';
import { runAction } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';
import { table } from '../output.js';
import { when } from '../time.js';

/** `celeriac inspect scheduled`: the app's periodic tasks with their next and last run and paused state. */
export function registerInspectScheduled(inspect: Command): void {
  inspect
    .command('scheduled')
    .description('the app\'s periodic tasks: schedule, next run, last run, paused')
    .action((_flags: unknown, command: Command) =>
      runAction(command, async ({ app, out }) => {
        const schedules = await app.schedules.list();
        out.result({ schedules }, () => {
          if (schedules.length === 0) return 'the app has no periodic tasks (add @schedule() to a task, or call app.schedule())';
          const rows = schedules.map((s) => [
            s.name,
            s.task,
            s.describe,
            s.paused ? 'paused' : s.nextRunAt === null ? 'never' : when(s.nextRunAt),
            s.lastRunAt === null ? '-' : when(s.lastRunAt),
            s.paused ? 'yes' : 'no',
          ]);
          return table(['SCHEDULE', 'TASK', 'RUNS', 'NEXT RUN', 'LAST RUN', 'PAUSED'], rows);
        });
        return EXIT_CODES.OK;
      }),
    );
}
