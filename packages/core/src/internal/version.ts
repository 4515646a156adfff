import { createRequire } from 'node:module';

let version: string | undefined;

/** The version of `@celeriac/core`, from its package.json (two levels up from both `src/` and `dist/` files). */
export function coreVersion(): string {
  if (version === undefined) {
    try {
      version = String((createRequire(import.meta.url)('../../package.json') as { version?: unknown }).version ?? 'unknown');
    } catch {
      version = 'unknown';
    }
  }
  return version;
}
