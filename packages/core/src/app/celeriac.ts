import { randomUuid } from '../internal/random-uuid.js';
import type { TaskMessage } from '../contracts/message.js';
import type { TaskRecord } from '../contracts/record.js';
import type { TaskStore } from '../contracts/task-store.js';
import { consoleLogger, type Logger } from '../context/logger.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { SerializationError } from '../errors/serialization-error.js';
import { NotATaskError } from '../errors/not-a-task-error.js';
import { findNonJson } from '../internal/json-check.js';
import { scanTaskMethods } from '../metadata/scan-task-methods.js';
import { type ResolvedTaskOptions, type TaskOptions, resolveTaskOptions } from '../options/task-options.js';
import { AsyncResult } from '../result/async-result.js';
import { TaskStates, isTerminal } from '../state/states.js';
import type { CanvasHost } from '../canvas/signature.js';
import { Worker } from '../worker/worker.js';
import type { WorkerOptions } from '../worker/worker-options.js';
import { type ResolvedApply, newMessage, resolveApplyOptions } from './apply-options.js';
import { type CeleriacOptions, checkCeleriacOptions } from './celeriac-options.js';
import type { ApplyOptions, TaskArgs, TaskHandle, TaskHandles, TaskResult } from './handle-types.js';
import { TaskRegistry } from './registry.js';
import { readScheduleMetadata } from '../decorators/schedule.js';
import { type ScheduleOptions, resolveSchedule } from '../schedule/schedule-options.js';
import { Scheduler, type SchedulerOptions } from '../schedule/scheduler.js';
import { loadMemoryStore } from './default-store.js';
import { ENQUEUE_STEP, buildAndEnqueueInSteps, createAndEnqueue } from './create-and-publish.js';
import { enqueueEagerly } from './eager.js';
import { endRevokedWorkflow } from '../canvas/dispatch.js';
import { DeadLetters } from './dead-letters.js';
import { type GroupResult, restoreGroup, saveGroup } from '../canvas/group-store.js';

/** What `revoke` found. */
export type RevokeOutcome = 'revoked' | 'finished' | 'unknown';

/**
 * The client and the registry of one application (Celery's `Celery` object).
 * Producers call handles; workers are made with `app.worker()`. Both may live in one process.
 */
export class Celeriac {
  readonly registry = new TaskRegistry();
  readonly logger: Logger;
  readonly eager: boolean;
  readonly #generateId: () => string;
  /** Whether `#generateId` is ours (random, never repeats): a store may then skip checking its ids. */
  readonly #idsAreRandom: boolean;
  readonly #ownsStore: boolean;
  /** Workers and schedulers made by this app, closed with it. */
  readonly #closeables = new Set<{ close(): Promise<void> }>();
  readonly #store: Promise<TaskStore>;
  /** `#store` once resolved, for synchronous use on hot paths. */
  #ready: TaskStore | undefined;
  readonly deadLetters: DeadLetters = new DeadLetters(() => this.#store);

  constructor(options: CeleriacOptions = {}) {
    checkCeleriacOptions(options);
    this.logger = options.logger ?? consoleLogger();
    this.eager = options.eager ?? false;
    this.#generateId = options.generateId ?? randomUuid;
    this.#idsAreRandom = options.generateId === undefined;
    this.#ownsStore = options.store === undefined;
    this.#store = options.store === undefined ? loadMemoryStore() : Promise.resolve(options.store);
    this.#store.then(
      (store) => (this.#ready = store),
      () => undefined, // surfaced by the first call that needs the store
    );
  }

  /** The store, once ready (the in-memory default loads lazily). */
  connect(): Promise<TaskStore> {
    return this.#store;
  }

  /**
   * Registers every `@task()` method of `instance` (its injected services come along, since the
   * method runs bound to it) and returns a typed handle per method.
   */
  register<T extends object>(instance: T): TaskHandles<T> {
    const className = instance.constructor.name;
    const scanned = scanTaskMethods(instance);
    if (scanned.length === 0) {
      throw new InvalidOptionError(`app.register(${className})`, 'instance', 'has no @task() methods: decorate the methods to run in the background');
    }
    const handles: Record<string, TaskHandle<unknown[], unknown>> = {};
    for (const { key, options } of scanned) {
      const method = (instance as Record<string, (...args: unknown[]) => unknown>)[key] as (...args: unknown[]) => unknown;
      this.registry.add({ options, run: method.bind(instance) }, `app.register(${className})`);
      handles[key] = this.#handle(options);
      readScheduleMetadata(method).forEach((schedule, i) => {
        const where = `@schedule() on ${className}.${key}`;
        this.registry.addSchedule(resolveSchedule(schedule, where, options.name, i === 0 ? options.name : `${options.name}:${i + 1}`), where);
      });
    }
    return new Proxy(handles, {
      get: (target, key) => {
        if (typeof key === 'string' && !(key in target) && typeof (instance as Record<string, unknown>)[key] === 'function') {
          throw new NotATaskError(className, key);
        }
        return target[key as string];
      },
    }) as unknown as TaskHandles<T>;
  }

  /** Registers a plain function as a task (no class needed). `name` is required: function names do not survive bundlers. */
  task<F extends (...args: never[]) => unknown>(options: TaskOptions & { name: string }, fn: F): TaskHandle<TaskArgs<F>, TaskResult<F>> {
    const where = `app.task(${options?.name === undefined ? '' : JSON.stringify(options.name)})`;
    if (options?.name === undefined) throw new InvalidOptionError(where, 'name', 'is required for a plain-function task');
    if (typeof fn !== 'function') throw new InvalidOptionError(where, 'fn', 'must be a function');
    const resolved = resolveTaskOptions(options, where, options.name);
    this.registry.add({ options: resolved, run: fn as unknown as (...args: unknown[]) => unknown }, where);
    return this.#handle(resolved) as unknown as TaskHandle<TaskArgs<F>, TaskResult<F>>;
  }

  /** Run a task periodically (the programmatic `@schedule()`), once a scheduler is started. */
  schedule<A extends unknown[]>(handle: TaskHandle<A, unknown>, options: ScheduleOptions & { args?: A }): void {
    const where = `app.schedule(${handle?.name ?? ''})`;
    const count = this.registry.schedules().filter((s) => s.task === handle.name).length;
    this.registry.addSchedule(resolveSchedule(options, where, handle.name, count === 0 ? handle.name : `${handle.name}:${count + 1}`), where);
  }

  /**
   * A scheduler enqueueing this app's periodic tasks. Run one per app instance: each due run is
   * enqueued once across all of them (see `Scheduler`). Call `start()` on it.
   */
  scheduler(options?: SchedulerOptions): Scheduler {
    const scheduler = new Scheduler(
      {
        schedules: () => this.registry.schedules(),
        store: () => this.#store,
        logger: this.logger,
        enqueue: async (schedule, taskId) => {
          try {
            await this.send(schedule.task, schedule.args, { taskId });
            return true;
          } catch (error) {
            if (error instanceof InvalidOptionError && error.option === 'taskId') return false; // another scheduler enqueued this run
            throw error;
          }
        },
      },
      options,
    );
    this.#closeables.add(scheduler);
    return scheduler;
  }

  /** Enqueue a task by name, e.g. one registered only in a remote worker. Untyped: prefer handles. */
  send<R = unknown>(name: string, args: unknown[] = [], options?: ApplyOptions): Promise<AsyncResult<R>> {
    return this.#enqueue<R>(name, args, this.registry.get(name)?.options, options);
  }

  /** A handle on any task id. */
  result<R = unknown>(id: string): AsyncResult<R> {
    return new AsyncResult<R>(id, this.#resultSource);
  }

  /** Revoke a task: it never starts if waiting or delayed; a running one has its signal aborted. */
  async revoke(id: string): Promise<RevokeOutcome> {
    const store = await this.#store;
    // Only ids that exist and are unfinished reach the store's revoked set, so made-up ids
    // (e.g. from an HTTP client) cannot grow it.
    const current = await store.get(id);
    if (current === null) return 'unknown';
    if (isTerminal(current.state)) return 'finished';
    // The record first: a store may read a waiting task's PENDING from its message, which the
    // revoke removes. A crash in between leaves a REVOKED record over a waiting message, which no
    // worker starts.
    const outcome = await store.apply({ id, state: TaskStates.REVOKED, meta: { reason: 'revoked' } });
    if (!outcome.applied) return outcome.current === null ? 'unknown' : 'finished';
    await endRevokedWorkflow(store, await store.revoke(id), outcome.record); // the removed message never runs: end its workflow here
    return 'revoked';
  }

  /** A worker running this app's registered tasks. Call `start()` on it. */
  worker(options?: WorkerOptions): Worker {
    const worker = new Worker({ connect: () => this.#store, registry: this.registry, logger: this.logger }, options);
    this.#closeables.add(worker);
    return worker;
  }

  /** Closes this app's workers and schedulers, and the store if the app created it (never one you passed in). */
  async close(): Promise<void> {
    await Promise.all([...this.#closeables].map((c) => c.close()));
    if (this.#ownsStore) await (await this.#store).close();
  }

  readonly #resultSource = {
    store: () => this.#ready ?? this.#store,
    revoke: async (id: string) => {
      await this.revoke(id);
    },
  };

  #handle(options: ResolvedTaskOptions): TaskHandle<unknown[], unknown> {
    return {
      name: options.name,
      delay: (...args: unknown[]) => this.#enqueue(options.name, args, options, undefined),
      applyAsync: (args: unknown[], apply?: ApplyOptions) => this.#enqueue(options.name, args, options, apply),
      bulk: (argsList: readonly unknown[][], apply?: ApplyOptions) => this.#enqueueMany(options.name, argsList, options, apply),
      result: (id: string) => this.result(id),
      s: (...args: unknown[]) => ({ kind: 'signature', template: this.#template(options, args), host: this.#canvasHost }),
      partial: (...args: unknown[]) => ({ kind: 'partial', template: this.#template(options, args), host: this.#canvasHost }),
    };
  }

  #template(options: ResolvedTaskOptions, args: unknown[]) {
    const problem = findNonJson(args, 'args');
    if (problem !== undefined) throw new SerializationError(`The arguments of ${options.name}`, problem);
    return { task: options.name, args, queue: options.queue, priority: options.priority };
  }

  /** A group's results by its id (`GroupResult.id`), as saved when it was applied; `null` if unknown or expired. */
  async groupResult<T extends unknown[] = unknown[]>(id: string): Promise<GroupResult<T> | null> {
    return restoreGroup<T>(await this.#store, id, (member) => this.result(member));
  }

  readonly #canvasHost: CanvasHost = {
    newId: () => this.#generateId(),
    result: (id) => this.result(id),
    saveGroup: async (groupId, memberIds) => saveGroup(await this.#store, groupId, memberIds),
    submit: async (start, pending) => {
      const later = pending.map((s) => ({ id: s.id, task: s.task }));
      if (this.eager) await this.#runEagerly(start, later);
      else await this.#create(start, later, this.#idsAreRandom); // ids from newId()
    },
  };

  async #enqueue<R>(name: string, args: unknown[], defaults: ResolvedTaskOptions | undefined, apply: ApplyOptions | undefined): Promise<AsyncResult<R>> {
    const now = Date.now();
    const resolved = resolveApplyOptions(name, apply, defaults, now);
    this.#checkArgs(name, args, '');
    const message = this.#newMessage(name, args, resolved, now);
    if (this.eager) return (await this.#runEagerly<R>([message], []))[0] as AsyncResult<R>;
    // The hot path of every delay(): one message, one step, no layers in between.
    const store = this.#ready ?? (await this.#store);
    const [created] = await store.enqueue([message], { freshIds: this.#freshIds(resolved) });
    if (created?.applied !== true) throw this.#idInUse(name, message.id);
    return new AsyncResult<R>(message.id, this.#resultSource, created.record);
  }

  /** Checks every call, stores PENDING for each, then publishes them together. */
  async #enqueueMany<R>(name: string, argsList: readonly unknown[][], defaults: ResolvedTaskOptions | undefined, apply: ApplyOptions | undefined): Promise<AsyncResult<R>[]> {
    if (!Array.isArray(argsList)) throw new SerializationError(`The arguments of ${name}`, 'bulk() takes an array of argument arrays');
    const now = Date.now();
    const resolved = resolveApplyOptions(name, apply, defaults, now);
    if (resolved.taskId !== undefined && argsList.length > 1) {
      throw new InvalidOptionError(`bulk() of ${name}`, 'taskId', 'cannot be shared by several tasks');
    }
    // Every call is checked before any is sent: a bad one anywhere enqueues nothing.
    argsList.forEach((args, i) => this.#checkArgs(name, args, argsList.length > 1 ? `call ${i}: ` : ''));
    if (!this.eager && argsList.length > ENQUEUE_STEP) {
      // A large bulk: each step's messages are made just before the step goes (see buildAndEnqueueInSteps).
      const build = (i: number) => this.#newMessage(name, argsList[i] as unknown[], resolved, now);
      const store = this.#ready ?? (await this.#store);
      const { messages, results } = await buildAndEnqueueInSteps(store, argsList.length, build, { freshIds: this.#freshIds(resolved) });
      return messages.map((m, i) => {
        const result = results[i];
        if (result?.applied !== true) throw this.#idInUse(name, m.id);
        return new AsyncResult<R>(m.id, this.#resultSource, result.record);
      });
    }
    const messages = argsList.map((args) => this.#newMessage(name, args, resolved, now));
    if (this.eager) return this.#runEagerly<R>(messages, []);
    const records = await this.#create(messages, [], this.#freshIds(resolved));
    return messages.map((m, i) => new AsyncResult<R>(m.id, this.#resultSource, records[i]));
  }

  /** Whether the ids of an enqueue with these options are ours to generate: random, so no store need check them. */
  #freshIds(resolved: ResolvedApply): boolean {
    return resolved.taskId === undefined && this.#idsAreRandom;
  }

  /** PENDING records for the messages (and for `later` workflow steps), and the messages enqueued; throws if an id is taken. */
  async #create(messages: readonly TaskMessage[], later: readonly { id: string; task: string }[], freshIds: boolean): Promise<TaskRecord[]> {
    const created = await createAndEnqueue(this.#ready ?? (await this.#store), messages, later, { freshIds });
    if (!created.ok) throw this.#idInUse(created.taken.task, created.taken.id);
    return created.records;
  }

  #checkArgs(name: string, args: unknown, label: string): asserts args is unknown[] {
    if (!Array.isArray(args)) throw new SerializationError(`The arguments of ${name}`, `${label}must be an array`);
    const problem = findNonJson(args, 'args');
    if (problem !== undefined) throw new SerializationError(`The arguments of ${name}`, `${label}${problem}`);
  }

  /** A message for checked arguments (see #checkArgs). */
  #newMessage(name: string, args: unknown[], resolved: ResolvedApply, now: number): TaskMessage {
    return newMessage(resolved.taskId ?? this.#generateId(), name, args, resolved, now);
  }

  #idInUse(name: string, id: string): InvalidOptionError {
    return new InvalidOptionError(`applyAsync() of ${name}`, 'taskId', `"${id}" is already in use: give a new id or omit it`);
  }

  /** Eager mode: records created, then each message run here to its end (see eager.ts). */
  async #runEagerly<R>(messages: readonly TaskMessage[], later: readonly { id: string; task: string }[]): Promise<AsyncResult<R>[]> {
    const env = { store: await this.#store, registry: this.registry, logger: this.logger };
    const taken = await enqueueEagerly(env, messages, later);
    if (taken !== undefined) throw this.#idInUse(taken.task, taken.id);
    return Promise.all(messages.map((m) => new AsyncResult<R>(m.id, this.#resultSource).refresh()));
  }
}
