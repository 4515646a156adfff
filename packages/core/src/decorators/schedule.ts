import 'reflect-metadata';
import { SCHEDULE_METADATA } from '../constants.js';
import type { ScheduleOptions } from '../schedule/schedule-options.js';
import { assertCalledWithParentheses, decoratedMethod } from './decorator-call.js';
import type { CeleriacMethodDecorator } from './method-decorator.js';

/**
 * Runs a `@task()` method periodically, when a scheduler (`app.scheduler()`) is running. May be
 * applied more than once. Validated when the task is registered, where its name is known.
 *
 * @example
 * @schedule({ every: 60_000 })
 * @schedule({ cron: '0 3 * * *', timezone: 'Europe/Paris', args: ['nightly'] })
 * @task()
 * async refresh(kind = 'minutely') { ... }
 */
export function schedule(options: ScheduleOptions): CeleriacMethodDecorator {
  assertCalledWithParentheses('@schedule()', options, arguments.length - 1);
  return (...args: unknown[]): void => {
    const { method } = decoratedMethod('@schedule()', args);
    const existing = (Reflect.getOwnMetadata(SCHEDULE_METADATA, method) as ScheduleOptions[] | undefined) ?? [];
    Reflect.defineMetadata(SCHEDULE_METADATA, [...existing, options], method);
  };
}

/** The schedules declared on a method, in the order written. */
export function readScheduleMetadata(method: unknown): ScheduleOptions[] {
  if (typeof method !== 'function') return [];
  return [...((Reflect.getOwnMetadata(SCHEDULE_METADATA, method) as ScheduleOptions[] | undefined) ?? [])].reverse();
}
