import { readTaskMetadata } from './read-task-metadata.js';
import type { ResolvedTaskOptions } from '../options/task-options.js';

export interface ScannedTask {
  key: string;
  options: ResolvedTaskOptions;
}

/**
 * Every task method visible on an instance, walking the prototype chain so inherited tasks count.
 * A subclass override wins: its own metadata (or lack of it) shadows the parent's.
 */
export function scanTaskMethods(instance: object): ScannedTask[] {
  const seen = new Set<string>();
  const found: ScannedTask[] = [];
  for (let proto = Object.getPrototypeOf(instance) as object | null; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key === 'constructor' || seen.has(key)) continue;
      seen.add(key);
      const descriptor = Object.getOwnPropertyDescriptor(proto, key);
      const options = readTaskMetadata(descriptor?.value);
      if (options !== undefined) found.push({ key, options });
    }
  }
  return found;
}
