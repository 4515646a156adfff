import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SchedulerOptions, WorkerOptions } from '@celeriac/core';
import { optionChecker } from '@celeriac/core/adapter';
import { CliError } from './exit-codes.js';

/** `celeriac.config.js` (default export) or `celeriac.config.json`: the app to load and defaults for the commands. */
export interface CeleriacCliConfig {
  /** The module exporting your `Celeriac` app (as `default` or `app`), relative to the config file, e.g. `'./dist/app.js'`. */
  app: string;
  /** Options for `celeriac worker` (as `app.worker(options)`); its flags override them. */
  worker?: WorkerOptions;
  /** Options for `celeriac scheduler` (as `app.scheduler(options)`). */
  scheduler?: SchedulerOptions;
}

/** Types a config file: `export default defineConfig({ app: './dist/app.js' })`. */
export function defineConfig(config: CeleriacCliConfig): CeleriacCliConfig {
  return config;
}

/** The file names looked for in the working directory, in this order, when `--config` is not given. */
export const CONFIG_FILES = ['celeriac.config.js', 'celeriac.config.mjs', 'celeriac.config.json'] as const;

/** A config read from a file, with `app` resolved against the file's directory. */
export interface LoadedConfig {
  readonly file: string;
  readonly app: string;
  readonly worker: WorkerOptions;
  readonly scheduler: SchedulerOptions;
}

/** The config named by `--config`, else the first of CONFIG_FILES in `cwd`, else undefined. */
export async function loadConfig(explicit: string | undefined, cwd = process.cwd()): Promise<LoadedConfig | undefined> {
  let file: string | undefined;
  if (explicit !== undefined) {
    file = resolve(cwd, explicit);
    if (!existsSync(file)) throw new CliError('app', `config file ${explicit} not found (looked for ${file})`);
  } else {
    file = CONFIG_FILES.map((name) => resolve(cwd, name)).find((path) => existsSync(path));
    if (file === undefined) return undefined;
  }
  return checkConfig(await readConfig(file), file);
}

async function readConfig(file: string): Promise<unknown> {
  if (file.endsWith('.json')) {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as unknown;
    } catch (error) {
      throw new CliError('app', `config file ${file} is not valid JSON: ${(error as Error).message}`);
    }
  }
  try {
    const loaded = (await import(pathToFileURL(file).href)) as { default?: unknown };
    return loaded.default;
  } catch (error) {
    throw new CliError('app', `config file ${file} failed to load: ${(error as Error).message}`);
  }
}

const KNOWN = ['app', 'worker', 'scheduler'];

function checkConfig(config: unknown, file: string): LoadedConfig {
  try {
    const check = optionChecker(basename(file));
    const o = check.object(config, 'the config (its default export)');
    check.unknownKeys(o, KNOWN);
    if (typeof o.app !== 'string' || o.app.length === 0) check.fail('app', 'must name the module exporting your Celeriac app, e.g. "./dist/app.js"');
    if (o.worker !== undefined) check.object(o.worker, 'worker');
    if (o.scheduler !== undefined) check.object(o.scheduler, 'scheduler');
    return {
      file,
      app: resolve(dirname(file), o.app as string),
      worker: (o.worker ?? {}) as WorkerOptions,
      scheduler: (o.scheduler ?? {}) as SchedulerOptions,
    };
  } catch (error) {
    throw new CliError('app', (error as Error).message);
  }
}
