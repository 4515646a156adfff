import type { Celeriac, TaskStore } from '@celeriac/core';
import type { Command } from 'commander';
import { type LoadedConfig, loadConfig } from './config.js';
import { CliError, EXIT_CODES, type ExitCode } from './exit-codes.js';
import { type LoadedApp, loadApp } from './load-app.js';
import { Output } from './output.js';

/** The options every command takes (declared on the program, see program.ts). */
export interface GlobalOptions {
  app?: string;
  config?: string;
  json?: boolean;
}

/** What a command's action gets: the loaded app, the config (if any) and where to print. */
export interface CommandContext {
  readonly app: Celeriac;
  /** The app module as a `file:` URL (given to thread and process pools). */
  readonly module: string;
  readonly config: LoadedConfig | undefined;
  readonly out: Output;
  /** The app's store, connected. */
  store(): Promise<TaskStore>;
}

/**
 * How a command ends: an exit code, and whether the CLI closes the app and its store (one-shot
 * commands) or something else already does (the worker, closed by `worker.closeOnSignals()`).
 */
export interface CommandEnd {
  readonly code: ExitCode;
  readonly closed?: boolean;
}

export type Action = (ctx: CommandContext) => Promise<CommandEnd | ExitCode>;

export interface ActionOptions {
  /** The command reads what other processes did: warn that the in-memory store sees only this one. */
  warnMemory?: boolean;
  /**
   * A long-running command (worker, scheduler): the app's default logger writes info (the
   * worker's banner, one line per task, each scheduled run) unless CELERIAC_LOG says otherwise.
   */
  logAtInfo?: boolean;
}

/** The exit code of the command that ran, set by `runAction` (commander's actions return nothing). */
export const outcome: { code: ExitCode | undefined } = { code: undefined };

/** Loads config and app for `command`, runs `action`, closes the app unless told it is closed; records the exit code. */
export async function runAction(command: Command, action: Action, options: ActionOptions = {}): Promise<void> {
  const globals = command.optsWithGlobals<GlobalOptions>();
  // Before the app module is imported: its default logger reads CELERIAC_LOG when it is made.
  if (options.logAtInfo === true && (process.env.CELERIAC_LOG ?? '') === '') process.env.CELERIAC_LOG = 'info';
  const out = new Output(globals.json === true);
  const config = await loadConfig(globals.config);
  const specifier = globals.app ?? config?.app;
  if (specifier === undefined) {
    throw new CliError('app', 'no app to load: pass --app ./dist/app.js (the module exporting your Celeriac app), set CELERIAC_APP, or write a celeriac.config.js / celeriac.config.json naming it');
  }
  const loaded: LoadedApp = await loadApp(specifier);
  const { app } = loaded;
  const ctx: CommandContext = { app, module: loaded.module, config, out, store: () => app.connect() };
  let end: CommandEnd = { code: EXIT_CODES.ERROR };
  try {
    if (options.warnMemory === true) await warnIfMemory(ctx);
    const result = await action(ctx);
    end = typeof result === 'number' ? { code: result } : result;
  } finally {
    if (end.closed !== true) await closeApp(app);
  }
  outcome.code = end.code;
}

/** Closes the app, then its store even if it was passed in (`app.close()` leaves those open): the process is leaving. */
async function closeApp(app: Celeriac): Promise<void> {
  await app.close();
  await (await app.connect()).close();
}

/** Commands that read what other processes did are blind on a store that lives in this process. */
async function warnIfMemory(ctx: CommandContext): Promise<void> {
  const store = await ctx.store();
  if (store.constructor?.name === 'MemoryStore') {
    ctx.out.note('celeriac: warning: the app uses the in-memory store, which lives in one process: this command sees no other process\'s tasks. Give the app a shared store (e.g. @celeriac/redis).');
  }
}
