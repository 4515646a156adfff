import 'reflect-metadata';
import { TASK_DEFAULT_NAME_METADATA, TASK_METADATA } from '../constants.js';
import { resolveTaskOptions, type TaskOptions } from '../options/task-options.js';
import { assertCalledWithParentheses, decoratedMethod } from './decorator-call.js';
import type { CeleriacMethodDecorator } from './method-decorator.js';

/**
 * Marks a method as a task. Options are validated here, when the class is defined, so a mistake
 * fails at start-up with an error naming `@task()`, the option and the method. Works with
 * standard decorators and with `experimentalDecorators` alike.
 *
 * @example
 * class Reports {
 *   @task({ retries: 3, timeLimit: 60_000 })
 *   async build(day: string): Promise<Report> { ... }
 * }
 */
export function task(options?: TaskOptions): CeleriacMethodDecorator {
  // `@task` without parentheses calls this function as the decorator itself.
  assertCalledWithParentheses('@task()', options, arguments.length - 1);
  return (...args: unknown[]): void => {
    const { method, label } = decoratedMethod('@task()', args);
    // Under standard decorators the class is unknown here, so the default name `ClassName.method`
    // is completed by `scanTaskMethods`, which sees the prototype the method lives on.
    const resolved = resolveTaskOptions(options, `@task() on ${label}`, label);
    Reflect.defineMetadata(TASK_METADATA, resolved, method);
    if (options?.name === undefined) Reflect.defineMetadata(TASK_DEFAULT_NAME_METADATA, true, method);
  };
}
