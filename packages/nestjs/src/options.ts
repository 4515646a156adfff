import type { CeleriacOptions, SchedulerOptions, WorkerOptions } from '@celeriac/core';
import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency } from '@nestjs/common';

/**
 * `CeleriacModule.forRoot()` options: what `new Celeriac()` takes (the store, `eager`, `logger`,
 * …, passed through untouched), plus when to run a worker and a scheduler in this process.
 */
export type CeleriacModuleOptions = CeleriacOptions & {
  /**
   * Start a worker for the discovered tasks when the application bootstraps, and close it
   * gracefully (running tasks finish) when it shuts down. `true` for the worker's defaults.
   * Leave it out in an API process whose tasks run in separate worker processes.
   * @defaultValue no worker
   */
  worker?: boolean | WorkerOptions;
  /** Start a scheduler for `@schedule()` tasks on bootstrap, closed on shutdown. @defaultValue no scheduler */
  scheduler?: boolean | SchedulerOptions;
};

/** `CeleriacModule.forRootAsync()` options: the options come from a factory, e.g. from `ConfigService`. */
export interface CeleriacModuleAsyncOptions {
  /** Modules whose providers the factory injects (e.g. `ConfigModule`). */
  imports?: ModuleMetadata['imports'];
  useFactory: (...args: never[]) => CeleriacModuleOptions | Promise<CeleriacModuleOptions>;
  /** Providers passed to `useFactory`, in order. */
  inject?: (InjectionToken | OptionalFactoryDependency)[];
}

/** The token of the resolved module options. */
export const CELERIAC_MODULE_OPTIONS = Symbol('celeriac:module-options');

/** The options for `new Celeriac()`: the module's own keys removed, everything else as given. */
export function appOptions(options: CeleriacModuleOptions): CeleriacOptions {
  const { worker: _worker, scheduler: _scheduler, ...rest } = options;
  return rest;
}
