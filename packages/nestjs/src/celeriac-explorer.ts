import { Celeriac, readTaskMetadata, type Scheduler, type TaskHandles, type Worker } from '@celeriac/core';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { CELERIAC_MODULE_OPTIONS, type CeleriacModuleOptions } from './options.js';
import type { HandleSource, TaskClass } from './task-handles.js';

/**
 * Finds the providers with `@task()` methods, registers them with the app (bound to the instance
 * Nest built, so their injected services come along), and runs the worker and scheduler over
 * Nest's lifecycle: started on bootstrap, closed gracefully on shutdown.
 */
@Injectable()
export class CeleriacExplorer implements HandleSource, OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  readonly #handles = new Map<TaskClass, TaskHandles<object>>();
  #registered = false;
  #worker: Worker | undefined;
  #scheduler: Scheduler | undefined;
  readonly #logger = new Logger('Celeriac');

  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(Celeriac) private readonly app: Celeriac,
    @Inject(CELERIAC_MODULE_OPTIONS) private readonly options: CeleriacModuleOptions,
  ) {}

  /** Every provider is built by now (Nest instantiates all modules before any init hook). */
  onModuleInit(): void {
    const seen = new Set<object>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (typeof instance !== 'object' || instance === null || seen.has(instance) || !hasTasks(instance)) continue;
      seen.add(instance);
      if (!wrapper.isDependencyTreeStatic()) {
        // A request- or transient-scoped provider has no single instance a worker could run.
        throw new Error(`${instance.constructor.name} has @task() methods but is not a singleton provider: tasks run outside requests, remove its request or transient scope`);
      }
      this.#handles.set(instance.constructor as TaskClass, this.app.register(instance));
    }
    this.#registered = true;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { worker, scheduler } = this.options;
    if (worker !== undefined && worker !== false) {
      this.#worker = this.app.worker(worker === true ? undefined : worker);
      await this.#worker.start();
      this.#logger.log(`worker started for ${this.app.registry.names().join(', ') || 'no tasks'}`);
    }
    if (scheduler !== undefined && scheduler !== false) {
      this.#scheduler = this.app.scheduler(scheduler === true ? undefined : scheduler);
      await this.#scheduler.start();
    }
  }

  /** First of Nest's shutdown hooks: running tasks finish while the services they use are still up. */
  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.#scheduler?.close(), this.#worker?.close()]);
  }

  /** Last: the app's own connections (a store the app created) close after the HTTP server. */
  async onApplicationShutdown(): Promise<void> {
    await this.app.close();
  }

  handlesOf<T extends object>(taskClass: TaskClass<T>): TaskHandles<T> {
    const handles = this.#handles.get(taskClass);
    if (handles !== undefined) return handles as TaskHandles<T>;
    if (!this.#registered) {
      throw new Error(`${taskClass.name}'s task handles were used before the application initialized: call them from onModuleInit or later, not in a constructor`);
    }
    throw new Error(`${taskClass.name} is not a provider with @task() methods: add it to the providers of a module of this application`);
  }
}

/** Whether any method on the instance's prototype chain carries `@task()` metadata. */
function hasTasks(instance: object): boolean {
  for (let proto = Object.getPrototypeOf(instance) as object | null; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key !== 'constructor' && readTaskMetadata(Object.getOwnPropertyDescriptor(proto, key)?.value) !== undefined) return true;
    }
  }
  return false;
}
