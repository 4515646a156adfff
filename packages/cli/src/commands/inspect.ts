import type { Command } from 'commander';
import { registerInspectRegistered } from './inspect-registered.js';

/**
 * `celeriac inspect <what>` (Celery's `inspect`): one file per subcommand. `registered` reads the
 * app's registry and the workers' announcements; `active`, `stats`, `ping` and `scheduled` come
 * with the admin API (`app.workers`, `app.schedules`).
 */
export function registerInspect(program: Command): void {
  const inspect = program.command('inspect').description('look at the app and its workers');
  registerInspectRegistered(inspect);
}
