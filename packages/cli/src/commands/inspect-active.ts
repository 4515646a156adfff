import type { Command } from 'commander';
import { runAction } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';
import { table } from '../output.js';
import { span } from '../time.js';
import { liveWorkers } from './live-workers.js';

/** `celeriac inspect active`: the tasks each live worker is running, as its last heartbeat said. */
export function registerInspectActive(inspect: Command): void {
  inspect
    .command('active')
    .description('the tasks each live worker is running (as of its last heartbeat); exit 8 if no worker is live')
    .action((_flags: unknown, command: Command) =>
      runAction(command, async (ctx) => {
        const workers = await liveWorkers(ctx);
        const now = Date.now();
        const active = workers.map((w) => ({ worker: w.id, concurrency: w.concurrency, running: w.running, lastHeartbeatAt: w.lastHeartbeatAt }));
        ctx.out.result({ workers: active }, () => {
          const rows = workers.flatMap((w) => w.running.map((r) => [w.id, r.task, r.id, String(r.attempt), span(now - r.startedAt)]));
          const summary = workers.map((w) => `${w.id}: ${w.running.length} of ${w.concurrency} slots busy`).join('\n');
          return rows.length === 0 ? `no tasks running\n${summary}` : `${table(['WORKER', 'TASK', 'ID', 'ATTEMPT', 'RUNNING FOR'], rows)}\n\n${summary}`;
        });
        return EXIT_CODES.OK;
      }),
    );
}
