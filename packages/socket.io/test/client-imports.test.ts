import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const clientDir = new URL('../src/client/', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('@celeriac/socket.io/client', () => {
  // Bundled for browsers: at runtime it may load only its own files, never Node, core or the server.
  it('imports nothing at runtime from outside src/client', () => {
    const outside: string[] = [];
    for (const file of sources(clientDir)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/^(import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)) {
        const specifier = match[2] as string;
        if (!specifier.startsWith('./') && !specifier.startsWith('../') ) outside.push(`${relative(clientDir, file)}: ${specifier}`);
        else if (!join(file, '..', specifier).startsWith(clientDir)) outside.push(`${relative(clientDir, file)}: ${specifier}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
