import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Celeriac } from '@celeriac/core';
import { CliError } from './exit-codes.js';

/** The user's app, and the module it came from (a `file:` URL, also given to thread and process pools). */
export interface LoadedApp {
  readonly app: Celeriac;
  readonly module: string;
}

/**
 * Imports the app module and finds the app in it: its `default` export or its `app` export, as
 * the worker's thread and process pools do. Recognised by shape, not `instanceof`: the app's
 * `@celeriac/core` may be another copy than the one this CLI resolves.
 */
export async function loadApp(specifier: string, cwd = process.cwd()): Promise<LoadedApp> {
  const url = importable(specifier, cwd);
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(url.startsWith('file:') ? new URL(url).pathname : specifier);
    if (missing) throw new CliError('app', `cannot find the app module ${specifier}: build your app first, or fix --app`);
    throw new CliError('app', `the app module ${specifier} failed to load: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  for (const name of ['default', 'app']) {
    const value = loaded[name];
    if (isApp(value)) return { app: value, module: url };
  }
  const names = Object.keys(loaded);
  throw new CliError('app', `the module ${specifier} exports no Celeriac app: export it as \`export default app\` or \`export const app\` (it exports ${names.length === 0 ? 'nothing' : names.join(', ')})`);
}

function isApp(value: unknown): value is Celeriac {
  const app = value as Partial<Record<keyof Celeriac, unknown>> | null | undefined;
  return typeof app === 'object' && app !== null && typeof app.worker === 'function' && typeof app.send === 'function' && typeof app.result === 'function' && typeof app.registry === 'object';
}

/** A URL as is; a path (`./dist/app.js`, `/abs/app.js`, `dist/app.js`) from `cwd`; a package name resolved from `cwd`. */
function importable(specifier: string, cwd: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(specifier) && !/^[a-z]:[\\/]/i.test(specifier)) return specifier;
  const path = resolve(cwd, specifier);
  const pathLike = isAbsolute(specifier) || specifier.startsWith('.') || extname(specifier) !== '';
  if (pathLike) {
    if (!existsSync(path)) throw new CliError('app', `cannot find the app module ${specifier} (looked for ${path}): build your app first, or fix --app`);
    return pathToFileURL(path).href;
  }
  try {
    return pathToFileURL(createRequire(join(cwd, 'noop.js')).resolve(specifier)).href;
  } catch {
    throw new CliError('app', `cannot find the app module ${specifier} (not a file, nor a package resolvable from ${cwd}): pass a path such as ./dist/app.js`);
  }
}
