import type { TaskHandles } from '@celeriac/core';
import { Inject } from '@nestjs/common';

/** A class with `@task()` methods, provided somewhere in the application. */
// biome-ignore lint/suspicious/noExplicitAny: any constructor signature, as Nest's `Type`
export type TaskClass<T extends object = object> = abstract new (...args: any[]) => T;

const tokens = new WeakMap<TaskClass, symbol>();

/** The injection token of a task class's typed handles (what `@InjectTasks(Class)` injects). */
export function getTasksToken(taskClass: TaskClass): symbol {
  let token = tokens.get(taskClass);
  if (token === undefined) {
    token = Symbol(`celeriac:tasks:${taskClass.name}`);
    tokens.set(taskClass, token);
  }
  return token;
}

/**
 * Injects the typed handles of a task class (`TaskHandles<Reports>`): `delay()`, `applyAsync()`,
 * `result()` per `@task()` method. List the class in `CeleriacModule.forFeature([...])` of the
 * module that injects them.
 *
 * @example
 * constructor(@InjectTasks(Reports) private readonly reports: TaskHandles<Reports>) {}
 */
export function InjectTasks(taskClass: TaskClass): ParameterDecorator & PropertyDecorator {
  return Inject(getTasksToken(taskClass));
}

/** Where handles come from once the application has registered its task providers. */
export interface HandleSource {
  handlesOf<T extends object>(taskClass: TaskClass<T>): TaskHandles<T>;
}

/**
 * Keys Nest reads on every provider value (a promise check, lifecycle hooks): never task handles,
 * and answered without a lookup so Nest can inspect the handles before tasks are registered.
 */
const NEST_PROBES = new Set(['then', 'onModuleInit', 'onApplicationBootstrap', 'onModuleDestroy', 'beforeApplicationShutdown', 'onApplicationShutdown']);

/**
 * Handles that look their task up on first use. Providers are registered with the app when the
 * module initializes, after constructors ran, so a controller may receive its handles before the
 * task instance is registered; any call (at request time) comes after.
 */
export function lazyHandles<T extends object>(taskClass: TaskClass<T>, source: HandleSource): TaskHandles<T> {
  return new Proxy({} as TaskHandles<T>, {
    get: (_target, key) => {
      if (typeof key === 'symbol' || NEST_PROBES.has(key)) return undefined;
      return source.handlesOf(taskClass)[key as keyof TaskHandles<T>];
    },
  });
}
