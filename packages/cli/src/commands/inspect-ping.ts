import type { Command } from 'commander';
import { runAction } from '../context.js';
import { CliError, EXIT_CODES } from '../exit-codes.js';
import { parseDuration } from '../parse.js';

/** `celeriac inspect ping`: every live worker answers (Celery's `inspect ping`); exit 8 if none does. */
export function registerInspectPing(inspect: Command): void {
  inspect
    .command('ping')
    .description('ask every live worker to answer, and print each answer with its latency; exit 8 if none answers in time')
    .option('-t, --timeout <duration>', 'how long to wait for answers (default: 1s)', parseDuration)
    .action((flags: { timeout?: number }, command: Command) =>
      runAction(command, async ({ app, out }) => {
        const timeout = flags.timeout ?? 1_000;
        if (timeout === 0) throw new CliError('usage', 'ping --timeout must be more than 0');
        const replies = await app.workers.ping(timeout);
        if (replies.length === 0) {
          throw new CliError('no_worker', `no worker answered within ${timeout} ms: start one with celeriac worker --app <your app> (on the same store as this command), or wait longer with --timeout`, { timeoutMs: timeout });
        }
        out.result({ replies }, () => replies.map((r) => `${r.worker}: pong (${r.latencyMs} ms)`).join('\n'));
        return EXIT_CODES.OK;
      }),
    );
}
