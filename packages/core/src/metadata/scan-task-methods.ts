import 'reflect-metadata';
import { TASK_DEFAULT_NAME_METADATA } from '../constants.js';
import { readTaskMetadata } from './read-task-metadata.js';
import type { ResolvedTaskOptions } from '../options/task-options.js';

export interface ScannedTask {
  key: string;
  options: ResolvedTaskOptions;
}

/**
 * Every task method visible on an instance, walking the prototype chain so inherited tasks count.
 * A subclass override wins: its own metadata (or lack of it) shadows the parent's. A task without
 * an explicit name is named after the class that declares the method, in both decorator worlds.
 */
export function scanTaskMethods(instance: object): ScannedTask[] {
  const seen = new Set<string>();
  const found: ScannedTask[] = [];
  for (let proto = Object.getPrototypeOf(instance) as object | null; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key === 'constructor' || seen.has(key)) continue;
      seen.add(key);
      const method: unknown = Object.getOwnPropertyDescriptor(proto, key)?.value;
      const options = readTaskMetadata(method);
      if (options === undefined) continue;
      if (Reflect.getOwnMetadata(TASK_DEFAULT_NAME_METADATA, method as object) === true) {
        options.name = `${(proto as { constructor: { name: string } }).constructor.name}.${key}`;
      }
      found.push({ key, options });
    }
  }
  return found;
}
