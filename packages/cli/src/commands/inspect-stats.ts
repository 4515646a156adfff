import type { Command } from 'commander';
import { runAction } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';
import { table } from '../output.js';
import { ago, span } from '../time.js';
import { liveWorkers } from './live-workers.js';

/** `celeriac inspect stats`: each live worker's counts and settings (Celery's `inspect stats`). */
export function registerInspectStats(inspect: Command): void {
  inspect
    .command('stats')
    .description('each live worker: processed and failed runs, concurrency, pool, queues, uptime, last heartbeat; exit 8 if no worker is live')
    .action((_flags: unknown, command: Command) =>
      runAction(command, async (ctx) => {
        const workers = await liveWorkers(ctx);
        const now = Date.now();
        ctx.out.result({ workers }, () => {
          const rows = workers.map((w) => [
            w.id,
            String(w.processed),
            String(w.failed),
            `${w.running.length}/${w.concurrency}`,
            w.pool,
            w.queues.join(','),
            span(now - w.startedAt),
            ago(w.lastHeartbeatAt, now),
            w.events ? 'on' : 'off',
          ]);
          return table(['WORKER', 'PROCESSED', 'FAILED', 'BUSY', 'POOL', 'QUEUES', 'UPTIME', 'HEARTBEAT', 'EVENTS'], rows);
        });
        return EXIT_CODES.OK;
      }),
    );
}
