import { createRequire } from 'node:module';
import { Command, Option } from 'commander';
import { registerCall } from './commands/call.js';
import { registerDashboard } from './commands/dashboard.js';
import { registerDlq } from './commands/dlq.js';
import { registerEvents } from './commands/events.js';
import { registerInspect } from './commands/inspect.js';
import { registerPauseResume } from './commands/pause-resume.js';
import { registerPurge } from './commands/purge.js';
import { registerQueues } from './commands/queues.js';
import { registerRetry } from './commands/retry.js';
import { registerScheduler } from './commands/scheduler.js';
import { registerStatus } from './commands/status.js';
import { registerTasks } from './commands/tasks.js';
import { registerWorker } from './commands/worker.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/**
 * The `celeriac` program: global options, then one file per command under `commands/`, each
 * exporting `registerX(program)`. Subcommands are made with `program.command()` so they inherit
 * `exitOverride` (parse errors reach main.ts as CommanderErrors, mapped to the usage exit code).
 */
export function buildProgram(): Command {
  const program = new Command('celeriac')
    .description('Run and operate Celeriac task queues: workers, the scheduler, calling tasks, task status and retries, queues, workers, events and dead letters; the web dashboard.')
    .version(version, '-V, --version')
    .addOption(new Option('-A, --app <module>', 'the module exporting your Celeriac app (default export or `app`), e.g. ./dist/app.js').env('CELERIAC_APP'))
    .option('--config <file>', 'a config file naming the app and defaults (default: celeriac.config.js, .mjs or .json in this directory)')
    .option('--json', 'print results as JSON for scripts (errors as JSON on stderr)')
    .exitOverride()
    .showHelpAfterError('(run celeriac --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .allowExcessArguments(false);
  registerWorker(program);
  registerScheduler(program);
  registerCall(program);
  registerStatus(program);
  registerTasks(program);
  registerRetry(program);
  registerInspect(program);
  registerQueues(program);
  registerPauseResume(program);
  registerPurge(program);
  registerDlq(program);
  registerEvents(program);
  registerDashboard(program);
  return program;
}
