import type { Command } from 'commander';
import { registerInspectActive } from './inspect-active.js';
import { registerInspectPing } from './inspect-ping.js';
import { registerInspectRegistered } from './inspect-registered.js';
import { registerInspectScheduled } from './inspect-scheduled.js';
import { registerInspectStats } from './inspect-stats.js';

/**
 * `celeriac inspect <what>` (Celery's `inspect`): one file per subcommand. `registered` reads the
 * app's registry and the workers' announcements; `active`, `stats` and `ping` the live workers
 * (`app.workers`); `scheduled` the periodic tasks (`app.schedules`).
 */
export function registerInspect(program: Command): void {
  const inspect = program.command('inspect').description('look at the app, its live workers and its periodic tasks');
  registerInspectActive(inspect);
  registerInspectRegistered(inspect);
  registerInspectStats(inspect);
  registerInspectPing(inspect);
  registerInspectScheduled(inspect);
}
