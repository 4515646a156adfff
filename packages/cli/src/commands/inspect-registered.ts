import { type Announcement, readAnnouncement } from '@celeriac/core';
import type { Command } from 'commander';
import { runAction } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';
import { table } from '../output.js';

/** `celeriac inspect registered`: the app's tasks with their options, and whether a live worker serves each. */
export function registerInspectRegistered(inspect: Command): void {
  inspect
    .command('registered')
    .description('the tasks the app registers (queue, priority, retries, pool, rate limit) and the live worker serving each, if any')
    .action((_flags: unknown, command: Command) =>
      runAction(command, async ({ app, out, store }) => {
        const connected = await store();
        const tasks = await Promise.all(
          app.registry.names().sort().map(async (name) => {
            const o = app.registry.get(name)?.options;
            const served: Announcement | null = await readAnnouncement(connected, name);
            return {
              name,
              queue: o?.queue ?? 'default',
              priority: o?.priority ?? 0,
              retries: o?.retries ?? 0,
              pool: o?.pool ?? null,
              rateLimit: o?.rateLimit === undefined ? null : `${o.rateLimit.limit} per ${o.rateLimit.intervalMs} ms`,
              servedBy: served?.worker ?? null,
            };
          }),
        );
        const schedules = app.registry.schedules().map((s) => ({ name: s.name, task: s.task, schedule: s.describe }));
        out.result({ tasks, schedules }, () => {
          const rows = tasks.map((t) => [t.name, t.queue, String(t.priority), String(t.retries), t.pool ?? '(worker\'s)', t.rateLimit ?? '-', t.servedBy ?? 'no live worker']);
          const lines = [table(['TASK', 'QUEUE', 'PRIORITY', 'RETRIES', 'POOL', 'RATE LIMIT', 'SERVED BY'], rows)];
          if (schedules.length > 0) lines.push('', table(['SCHEDULE', 'TASK', 'RUNS'], schedules.map((s) => [s.name, s.task, s.schedule])));
          return lines.join('\n');
        });
        return EXIT_CODES.OK;
      }),
    );
}
