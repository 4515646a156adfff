import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TaskRegistry } from '../../app/registry.js';

/**
 * Loads the worker's `module` in a runner and finds the app in it. The convention, checked here
 * and reported to the worker so it refuses to start: the module exports the `Celeriac` app as its
 * `default` export or as `app`. Importing it registers the same tasks as in the worker.
 */
export async function loadTaskModule(module: string): Promise<TaskRegistry | string> {
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(importable(module))) as Record<string, unknown>;
  } catch (error) {
    return `could not be imported (${module}): ${error instanceof Error ? error.message : String(error)}`;
  }
  for (const name of ['default', 'app']) {
    const registry = registryOf(loaded[name]);
    if (registry !== undefined) return registry;
  }
  return `(${module}) must export the Celeriac app as its default export or as \`app\`; it exports ${Object.keys(loaded).join(', ') || 'nothing'}`;
}

/** The app's registry, recognised by shape: the module may have its own copy of core's classes. */
function registryOf(value: unknown): TaskRegistry | undefined {
  const registry = (value as { registry?: unknown } | null | undefined)?.registry as Partial<TaskRegistry> | undefined;
  if (typeof registry?.get === 'function' && typeof registry.names === 'function') return registry as TaskRegistry;
  return undefined;
}

/** A URL stays as is; a path is taken from the working directory; a bare specifier resolves from there too. */
function importable(module: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)) return module;
  if (isAbsolute(module) || module.startsWith('.')) return pathToFileURL(resolve(module)).href;
  return pathToFileURL(createRequire(join(process.cwd(), 'noop.js')).resolve(module)).href;
}
