import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { NotATaskError } from '../errors/not-a-task-error.js';
import { readScheduleMetadata } from '../decorators/schedule.js';
import { scanTaskMethods } from '../metadata/scan-task-methods.js';
import { type ResolvedTaskOptions, type TaskOptions, resolveTaskOptions } from '../options/task-options.js';
import { type ScheduleOptions, resolveSchedule } from '../schedule/schedule-options.js';
import type { TaskHandle, TaskHandles } from './handle-types.js';
import type { TaskRegistry } from './registry.js';

/**
 * `app.register(instance, names?)`: registers every `@task()` method of `instance` bound to it,
 * with its schedules, and returns a handle per method (made by `handle`). With `names`, only those
 * handles, each checked to be a decorated method. Without, reading a method that is not a task
 * throws `NotATaskError` (its type cannot tell: decorators do not change types).
 */
export function registerInstance<T extends object>(registry: TaskRegistry, instance: T, names: readonly string[] | undefined, handle: (options: ResolvedTaskOptions) => TaskHandle<unknown[], unknown>): TaskHandles<T> {
  const className = instance.constructor.name;
  const scanned = scanTaskMethods(instance);
  if (scanned.length === 0) {
    throw new InvalidOptionError(`app.register(${className})`, 'instance', 'has no @task() methods: decorate the methods to run in the background');
  }
  if (names !== undefined) checkTaskNames(className, names, scanned.map((s) => s.key));
  const handles: Record<string, TaskHandle<unknown[], unknown>> = {};
  for (const { key, options } of scanned) {
    const method = (instance as Record<string, (...args: unknown[]) => unknown>)[key] as (...args: unknown[]) => unknown;
    registry.add({ options, run: method.bind(instance) }, `app.register(${className})`);
    handles[key] = handle(options);
    readScheduleMetadata(method).forEach((schedule, i) => {
      const where = `@schedule() on ${className}.${key}`;
      registry.addSchedule(resolveSchedule(schedule, where, options.name, i === 0 ? options.name : `${options.name}:${i + 1}`), where);
    });
  }
  if (names !== undefined) return Object.fromEntries(names.map((name) => [name, handles[name]])) as unknown as TaskHandles<T>;
  return new Proxy(handles, {
    get: (target, key) => {
      if (typeof key === 'string' && !(key in target) && typeof (instance as Record<string, unknown>)[key] === 'function') {
        throw new NotATaskError(className, key);
      }
      return target[key as string];
    },
  }) as unknown as TaskHandles<T>;
}

/** The names given to `register(instance, names)`: an array of decorated methods. */
function checkTaskNames(className: string, names: unknown, decorated: readonly string[]): void {
  if (!Array.isArray(names)) throw new InvalidOptionError(`app.register(${className})`, 'names', 'must be an array of the names of its @task() methods');
  for (const name of names) {
    if (typeof name !== 'string' || !decorated.includes(name)) throw new NotATaskError(className, String(name));
  }
}

/** `app.task(options, fn)`: registers a plain function as a task; returns its resolved options. */
export function registerFunction(registry: TaskRegistry, options: TaskOptions & { name: string }, fn: unknown): ResolvedTaskOptions {
  const where = `app.task(${options?.name === undefined ? '' : JSON.stringify(options.name)})`;
  if (options?.name === undefined) throw new InvalidOptionError(where, 'name', 'is required for a plain-function task');
  if (typeof fn !== 'function') throw new InvalidOptionError(where, 'fn', 'must be a function');
  const resolved = resolveTaskOptions(options, where, options.name);
  registry.add({ options: resolved, run: fn as (...args: unknown[]) => unknown }, where);
  return resolved;
}

/** `app.schedule(handle, options)`: the task's first schedule is named after it, the next ones `name:2`, `name:3` … */
export function addSchedule(registry: TaskRegistry, task: string, options: ScheduleOptions & { args?: unknown[] }): void {
  const where = `app.schedule(${task ?? ''})`;
  const count = registry.schedules().filter((s) => s.task === task).length;
  registry.addSchedule(resolveSchedule(options, where, task, count === 0 ? task : `${task}:${count + 1}`), where);
}
