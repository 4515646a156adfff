import { randomUuid } from '../internal/random-uuid.js';
import type { TaskStore } from '../contracts/task-store.js';
import { asLogger, consoleLogger, type Logger } from '../context/logger.js';
import { type ResolvedTaskOptions, type TaskOptions, resolveTaskOptions } from '../options/task-options.js';
import { AsyncResult, type ResultSource } from '../result/async-result.js';
import type { CanvasHost } from '../canvas/signature.js';
import { Worker } from '../worker/worker.js';
import type { WorkerOptions } from '../worker/worker-options.js';
import { type CeleriacOptions, DEFAULT_CELERIAC_OPTIONS, checkCeleriacOptions } from './celeriac-options.js';
import { EnqueueDeadline } from './enqueue-deadline.js';
import { Producer } from './producer.js';
import { readAnnouncement, startAnnouncing } from './task-announcements.js';
import type { ApplyOptions, MethodNames, TaskArgs, TaskHandle, TaskHandles, TaskResult } from './handle-types.js';
import { TaskRegistry } from './registry.js';
import { addSchedule, registerFunction, registerInstance } from './register-instance.js';
import type { ScheduleOptions } from '../schedule/schedule-options.js';
import { Scheduler, type SchedulerOptions, enqueueScheduledRun } from '../schedule/scheduler.js';
import { loadMemoryStore } from './default-store.js';
import { type RevokeOutcome, revokeTask } from './revoke-task.js';
import { DeadLetters } from './dead-letters.js';
import { Queues } from './queues-api.js';
import { Tasks } from './tasks-api.js';
import { Schedules } from './schedules-api.js';
import { type GroupResult, restoreGroup, saveGroup } from '../canvas/group-store.js';
import { AppEvents } from './app-events.js';
import type { TaskTracing } from '../contracts/tracing.js';
import type { CeleriacEventName, CeleriacListener } from '../events/event-types.js';
import type { EventStream } from '../events/event-stream.js';
import type { Workers } from './workers.js';

export type { RevokeOutcome };

/** The client and the registry of one application (Celery's `Celery` object): producers call handles; workers are made with `app.worker()`. */
export class Celeriac {
  readonly registry = new TaskRegistry();
  readonly logger: Logger;
  readonly eager: boolean;
  readonly #ownsStore: boolean;
  /** Workers and schedulers made by this app, closed with it. */
  readonly #closeables = new Set<{ close(): Promise<void> }>();
  readonly #store: Promise<TaskStore>;
  /** What handles and workflows enqueue through. */
  readonly #producer: Producer;
  readonly deadLetters: DeadLetters = new DeadLetters(() => this.#store);
  readonly #ops: AppEvents;
  readonly #tracing: TaskTracing | undefined;
  /** The queue-wide event stream, from every process (see `CeleriacOptions.events`). */
  readonly events: EventStream;
  /** The live workers of the deployment: `list()`, `ping()`. */
  readonly workers: Workers;
  /** The queues: counts, pause / resume, purge (see `Queues`). */
  readonly queues: Queues = new Queues(() => this.#store);
  /** Tasks by state, one task's view, retries of failed ones (see `Tasks`). */
  readonly tasks: Tasks = new Tasks(() => this.#store);
  /** This app's periodic tasks: next and last run, pause / resume (see `Schedules`). */
  readonly schedules: Schedules = new Schedules(() => this.registry.schedules(), () => this.#store);

  constructor(options: CeleriacOptions = {}) {
    checkCeleriacOptions(options);
    this.logger = options.logger === undefined ? consoleLogger() : asLogger(options.logger);
    this.eager = options.eager ?? false;
    this.#ownsStore = options.store === undefined;
    this.#tracing = options.tracing;
    this.#store = options.store === undefined ? loadMemoryStore() : Promise.resolve(options.store);
    this.#ops = new AppEvents(this.#store, this.logger, options.events ?? false);
    this.events = this.#ops.stream;
    this.workers = this.#ops.workers;
    this.#producer = new Producer({
      store: this.#store,
      registry: this.registry,
      logger: this.logger,
      eager: this.eager,
      limits: { maxSize: options.maxMessageSize ?? DEFAULT_CELERIAC_OPTIONS.maxMessageSize, maxDepth: options.maxNestingDepth ?? DEFAULT_CELERIAC_OPTIONS.maxNestingDepth },
      deadline: new EnqueueDeadline(options.enqueueTimeout ?? DEFAULT_CELERIAC_OPTIONS.enqueueTimeout, this.logger),
      generateId: options.generateId ?? randomUuid,
      idsAreRandom: options.generateId === undefined,
      tracing: options.tracing,
      results: this.#resultSource,
      enqueued: (store, message) => this.#ops.enqueued(store, message),
    });
  }

  /**
   * Calls `listener` with every `name` event of this process (its producer, its workers, its
   * store: see `CeleriacEvents`); one that throws is logged. Returns a function that removes it.
   */
  on<K extends CeleriacEventName>(name: K, listener: CeleriacListener<K>): () => void {
    return this.#ops.lifecycle.on(name, listener);
  }

  off<K extends CeleriacEventName>(name: K, listener: CeleriacListener<K>): void {
    this.#ops.lifecycle.off(name, listener);
  }

  /** The store, once ready (the in-memory default loads lazily). */
  connect(): Promise<TaskStore> {
    return this.#store;
  }

  /**
   * Registers every `@task()` method of `instance` (its injected services come along, since the
   * method runs bound to it) and returns a typed handle per method. With `names`, the handles (and
   * their type) are those methods only, each checked to have `@task()`: decorators cannot change
   * types, so this is how the type lists tasks and nothing else.
   */
  register<T extends object>(instance: T): TaskHandles<T>;
  register<T extends object, const K extends MethodNames<T>>(instance: T, names: readonly K[]): TaskHandles<T, K>;
  register<T extends object>(instance: T, names?: readonly string[]): TaskHandles<T> {
    return registerInstance(this.registry, instance, names, (options) => this.#handle(options));
  }

  /** Registers a plain function as a task (no class needed). `name` is required: function names do not survive bundlers. */
  task<F extends (...args: never[]) => unknown>(options: TaskOptions & { name: string }, fn: F): TaskHandle<TaskArgs<F>, TaskResult<F>> {
    return this.#handle(registerFunction(this.registry, options, fn)) as unknown as TaskHandle<TaskArgs<F>, TaskResult<F>>;
  }

  /** Run a task periodically (the programmatic `@schedule()`), once a scheduler is started. */
  schedule<A extends unknown[]>(handle: TaskHandle<A, unknown>, options: ScheduleOptions & { args?: A }): void {
    addSchedule(this.registry, handle.name, options);
  }

  /**
   * A scheduler enqueueing this app's periodic tasks. Run one per app instance: each due run is
   * enqueued once across all of them (see `Scheduler`). Call `start()` on it.
   */
  scheduler(options?: SchedulerOptions): Scheduler {
    const scheduler = new Scheduler({ schedules: () => this.registry.schedules(), store: () => this.#store, logger: this.logger, enqueue: enqueueScheduledRun((...call) => this.send(...call)) }, options);
    this.#closeables.add(scheduler);
    return scheduler;
  }

  /** A typed handle on a task registered elsewhere (another service, a Python Celery worker), e.g. `app.remote<[a: number, b: number], number>('tasks.add')`; no worker of this app runs it. */
  remote<A extends unknown[], R>(name: string, options: Pick<TaskOptions, 'queue' | 'priority'> = {}): TaskHandle<A, R> {
    return this.#handle(resolveTaskOptions({ ...options, name }, `app.remote(${JSON.stringify(name)})`, name)) as unknown as TaskHandle<A, R>;
  }

  /** Enqueue a task by name, e.g. one registered only in a remote worker. Untyped: prefer handles or `remote`. */
  send<R = unknown>(name: string, args: unknown[] = [], options?: ApplyOptions): Promise<AsyncResult<R>> {
    return this.#producer.enqueue<R>(name, args, this.registry.get(name)?.options, options);
  }

  /** A handle on any task id. */
  result<R = unknown>(id: string): AsyncResult<R> {
    return new AsyncResult<R>(id, this.#resultSource);
  }

  /** Revoke a task: it never starts if waiting or delayed; a running one has its signal aborted. */
  async revoke(id: string): Promise<RevokeOutcome> {
    return revokeTask(await this.#store, id);
  }

  /** A worker running this app's registered tasks. Call `start()` on it. */
  worker(options?: WorkerOptions): Worker {
    // Announced under the worker's own id, the one its records, events and heartbeats carry.
    const announce = (store: TaskStore, tasks: readonly string[], worker: string) => startAnnouncing(store, tasks, worker, this.logger);
    const { lifecycle: events, stream, streaming } = this.#ops;
    const source = { connect: () => this.#store, registry: this.registry, logger: this.logger, announce, closeAll: () => this.#closeForExit(), events, stream: { stream, enabled: streaming } };
    const worker = new Worker(this.#tracing === undefined ? source : { ...source, tracing: this.#tracing }, options);
    this.#closeables.add(worker);
    return worker;
  }

  /** Closes this app's workers and schedulers, and the store if the app created it (never one you passed in). */
  async close(): Promise<void> {
    await Promise.all([...this.#closeables].map((c) => c.close()));
    await this.#ops.close();
    if (this.#ownsStore) await (await this.#store).close();
  }

  /** `worker.closeOnSignals()`: the process is leaving, so the store goes too, even one passed in. */
  async #closeForExit(): Promise<void> {
    await this.close();
    if (!this.#ownsStore) await (await this.#store).close();
  }

  readonly #resultSource: ResultSource = {
    store: () => this.#producer.store(),
    servedBy: async (task: string) => (await readAnnouncement(await this.#store, task))?.worker ?? null,
    revoke: async (id: string) => {
      await this.revoke(id);
    },
  };

  #handle(options: ResolvedTaskOptions): TaskHandle<unknown[], unknown> {
    return {
      name: options.name,
      delay: (...args: unknown[]) => this.#producer.enqueue(options.name, args, options, undefined),
      applyAsync: (args: unknown[], apply?: ApplyOptions) => this.#producer.enqueue(options.name, args, options, apply),
      bulk: (argsList: readonly unknown[][], apply?: ApplyOptions) => this.#producer.enqueueMany(options.name, argsList, options, apply),
      result: (id: string) => this.result(id),
      s: (...args: unknown[]) => ({ kind: 'signature', template: this.#template(options, args), host: this.#canvasHost }),
      partial: (...args: unknown[]) => ({ kind: 'partial', template: this.#template(options, args), host: this.#canvasHost }),
    };
  }

  #template(options: ResolvedTaskOptions, args: unknown[]) {
    this.#producer.checkArgs(options.name, args);
    return { task: options.name, args, queue: options.queue, priority: options.priority };
  }

  /** A group's results by its id (`GroupResult.id`), as saved when it was applied; `null` if unknown or expired. */
  async groupResult<T extends unknown[] = unknown[]>(id: string): Promise<GroupResult<T> | null> {
    return restoreGroup<T>(await this.#store, id, (member) => this.result(member));
  }

  readonly #canvasHost: CanvasHost = {
    newId: () => this.#producer.newId(),
    result: (id) => this.result(id),
    saveGroup: async (groupId, memberIds) => saveGroup(await this.#store, groupId, memberIds),
    submit: (start, pending) => this.#producer.submit(start, pending.map((s) => ({ id: s.id, task: s.task }))),
  };
}
