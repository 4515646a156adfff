import 'reflect-metadata';
import { TASK_METADATA } from '../constants.js';
import type { ResolvedTaskOptions } from '../options/task-options.js';

/** The options `@task()` stored on a method, or undefined if it is not a task. A copy: callers may not mutate the original. */
export function readTaskMetadata(method: unknown): ResolvedTaskOptions | undefined {
  if (typeof method !== 'function') return undefined;
  const stored = Reflect.getOwnMetadata(TASK_METADATA, method) as ResolvedTaskOptions | undefined;
  return stored === undefined ? undefined : { ...stored, backoff: typeof stored.backoff === 'function' ? stored.backoff : { ...stored.backoff }, rateLimit: stored.rateLimit === undefined ? undefined : { ...stored.rateLimit } };
}
