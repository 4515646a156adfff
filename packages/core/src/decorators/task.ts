import 'reflect-metadata';
import { TASK_METADATA } from '../constants.js';
import { resolveTaskOptions, type TaskOptions } from '../options/task-options.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';

/**
 * Marks a method as a task. Options are validated here, when the class is defined, so a mistake
 * fails at start-up with an error naming `@task()`, the option and `Class.method`.
 *
 * @example
 * class Reports {
 *   @task({ retries: 3, timeLimit: 60_000 })
 *   async build(day: string): Promise<Report> { ... }
 * }
 */
export function task(options?: TaskOptions): MethodDecorator {
  return (target, propertyKey, descriptor) => {
    const className = typeof target === 'function' ? target.name : target.constructor.name;
    const where = `@task() on ${className}.${String(propertyKey)}`;
    if (typeof target === 'function') {
      throw new InvalidOptionError(where, 'target', 'is a static method: decorate an instance method, or use app.task(options, fn) for plain functions');
    }
    if (typeof descriptor.value !== 'function') {
      throw new InvalidOptionError(where, 'target', 'is not a method (getters, setters and fields cannot be tasks)');
    }
    const resolved = resolveTaskOptions(options, where, `${className}.${String(propertyKey)}`);
    Reflect.defineMetadata(TASK_METADATA, resolved, descriptor.value);
  };
}
