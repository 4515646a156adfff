import type { TaskMessage } from '../contracts/message.js';
import type { TaskRecord } from '../contracts/record.js';
import type { TaskStore } from '../contracts/task-store.js';
import type { TaskTracing } from '../contracts/tracing.js';
import type { Logger } from '../context/logger.js';
import type { JsonLimits } from '../internal/json-check.js';
import type { ResolvedTaskOptions } from '../options/task-options.js';
import { AsyncResult, type ResultSource } from '../result/async-result.js';
import { type ResolvedApply, checkArgs, idInUse, newMessage, resolveApplyOptions, resolveBulkOptions } from './apply-options.js';
import { ENQUEUE_STEP, createAndEnqueue, enqueueInSteps } from './create-and-publish.js';
import { enqueueEagerly } from './eager.js';
import type { EnqueueDeadline } from './enqueue-deadline.js';
import type { ApplyOptions } from './handle-types.js';
import type { TaskRegistry } from './registry.js';
import { SendSpans, sendTraced } from '../tracing/send-spans.js';
import { partitionKeyId } from '../adapters/partition-key.js';

/** What a producer is made of: its app's store, limits, ids and hooks. */
export interface ProducerParts {
  readonly store: Promise<TaskStore>;
  readonly registry: TaskRegistry;
  readonly logger: Logger;
  readonly eager: boolean;
  readonly limits: JsonLimits;
  readonly deadline: EnqueueDeadline;
  readonly generateId: () => string;
  /** Whether `generateId` is the app's own (random, never repeats): a store may then skip checking its ids. */
  readonly idsAreRandom: boolean;
  readonly tracing: TaskTracing | undefined;
  readonly results: ResultSource;
  /** A message of this app was enqueued (warnings, `task-sent`). */
  enqueued(store: TaskStore, message: TaskMessage): void;
}

/**
 * An app's producing side: what `delay()`, `applyAsync()`, `bulk()` and workflows do between the
 * handle and the store. Checks every call, builds its messages, enqueues them (or runs them here
 * in eager mode) and answers with their results.
 */
export class Producer {
  readonly #parts: ProducerParts;
  /** The store once resolved, for synchronous use on the hot path. */
  #ready: TaskStore | undefined;

  constructor(parts: ProducerParts) {
    this.#parts = parts;
    parts.store.then(
      (store) => (this.#ready = store),
      () => undefined, // surfaced by the first call that needs the store
    );
  }

  /** The store if it is ready, else its promise. */
  store(): TaskStore | Promise<TaskStore> {
    return this.#ready ?? this.#parts.store;
  }

  /** A new task id from the app's generator. */
  newId(): string {
    return this.#parts.generateId();
  }

  /** Enqueues a workflow's first steps with the PENDING records of its later ones (ids from `newId`). */
  async submit(start: readonly TaskMessage[], later: readonly { id: string; task: string }[]): Promise<void> {
    if (this.#parts.eager) await this.runEagerly(start, later);
    else await sendTraced(this.#parts.tracing, start, () => this.create(start, later, this.#parts.idsAreRandom, start[0]?.task ?? 'a workflow'));
  }

  /** Checks a call's arguments as `delay()` does (for signatures built now, sent later). */
  checkArgs(name: string, args: unknown[]): void {
    checkArgs(name, args, '', this.#parts.limits);
  }

  /**
   * The hot path of every delay(): one message, one step. Not async: the caller's promise is
   * settled from the store's own reply (see EnqueueDeadline.settle), with no turn in between.
   */
  enqueue<R>(name: string, args: unknown[], defaults: ResolvedTaskOptions | undefined, apply: ApplyOptions | undefined): Promise<AsyncResult<R>> {
    let message: TaskMessage;
    let freshIds: boolean;
    try {
      const now = Date.now();
      const resolved = resolveApplyOptions(name, apply, defaults, now);
      checkArgs(name, args, '', this.#parts.limits);
      message = this.#newMessage(name, args, resolved, now);
      freshIds = this.#freshIds(resolved);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#parts.tracing !== undefined) {
      const spans = new SendSpans(this.#parts.tracing, 1);
      return spans.settle(this.#enqueueOne<R>(name, spans.start(message), freshIds));
    }
    return this.#enqueueOne<R>(name, message, freshIds);
  }

  #enqueueOne<R>(name: string, message: TaskMessage, freshIds: boolean): Promise<AsyncResult<R>> {
    if (this.#parts.eager) return this.runEagerly<R>([message], []).then((results) => results[0] as AsyncResult<R>);
    const store = this.#ready;
    if (store === undefined) return this.#parts.store.then((s) => this.#enqueueTo<R>(s, name, message, freshIds));
    return this.#enqueueTo<R>(store, name, message, freshIds);
  }

  #enqueueTo<R>(store: TaskStore, name: string, message: TaskMessage, freshIds: boolean): Promise<AsyncResult<R>> {
    return this.#parts.deadline.settle(store.enqueue([message], { freshIds }), name, () => [message.id], ([created]) => {
      if (created?.applied !== true) throw idInUse(name, message.id);
      this.#parts.enqueued(store, message);
      return new AsyncResult<R>(message.id, this.#parts.results, created.record);
    });
  }

  /** Checks every call, stores PENDING for each, then publishes them together. */
  async enqueueMany<R>(name: string, argsList: readonly unknown[][], defaults: ResolvedTaskOptions | undefined, apply: ApplyOptions | undefined): Promise<AsyncResult<R>[]> {
    const now = Date.now();
    const resolved = resolveBulkOptions(name, argsList, apply, defaults, now);
    // Every call is checked before any is sent: a bad one anywhere enqueues nothing.
    argsList.forEach((args, i) => checkArgs(name, args, argsList.length > 1 ? `call ${i}: ` : '', this.#parts.limits));
    if (this.#parts.tracing === undefined) return this.#enqueueChecked<R>(name, argsList, resolved, now, undefined);
    const spans = new SendSpans(this.#parts.tracing, argsList.length);
    return spans.settle(this.#enqueueChecked<R>(name, argsList, resolved, now, spans));
  }

  async #enqueueChecked<R>(name: string, argsList: readonly unknown[][], resolved: ResolvedApply, now: number, spans: SendSpans | undefined): Promise<AsyncResult<R>[]> {
    const message = (args: unknown[]) => {
      const built = this.#newMessage(name, args, resolved, now);
      return spans === undefined ? built : spans.start(built);
    };
    if (!this.#parts.eager && argsList.length > ENQUEUE_STEP) {
      const store = this.#ready ?? (await this.#parts.store);
      const build = (i: number) => message(argsList[i] as unknown[]);
      const { messages, records } = await enqueueInSteps(store, this.#parts.deadline, name, argsList.length, build, this.#freshIds(resolved));
      for (const message of messages) this.#parts.enqueued(store, message);
      return messages.map((m, i) => new AsyncResult<R>(m.id, this.#parts.results, records[i]));
    }
    const messages = argsList.map(message);
    if (this.#parts.eager) return this.runEagerly<R>(messages, []);
    const records = await this.create(messages, [], this.#freshIds(resolved), name);
    return messages.map((m, i) => new AsyncResult<R>(m.id, this.#parts.results, records[i]));
  }

  /** Whether the ids of an enqueue with these options are ours to generate: random, so no store need check them. */
  #freshIds(resolved: ResolvedApply): boolean {
    return resolved.taskId === undefined && this.#parts.idsAreRandom;
  }

  /** PENDING records for the messages (and for `later` workflow steps), and the messages enqueued; throws if an id is taken. */
  async create(messages: readonly TaskMessage[], later: readonly { id: string; task: string }[], freshIds: boolean, name: string): Promise<TaskRecord[]> {
    const store = this.#ready ?? (await this.#parts.store);
    const created = await this.#parts.deadline.guard(createAndEnqueue(store, messages, later, { freshIds }), name, () => messages.map((m) => m.id));
    if (!created.ok) throw idInUse(created.taken.task, created.taken.id);
    for (const message of messages) this.#parts.enqueued(store, message);
    return created.records;
  }

  /** A message for checked arguments (see checkArgs). */
  #newMessage(name: string, args: unknown[], resolved: ResolvedApply, now: number): TaskMessage {
    const id = resolved.taskId ?? (resolved.partitionKey === undefined ? this.#parts.generateId() : partitionKeyId(resolved.partitionKey, this.#parts.generateId()));
    return newMessage(id, name, args, resolved, now);
  }

  /** Eager mode: records created, then each message run here to its end (see eager.ts). */
  async runEagerly<R>(messages: readonly TaskMessage[], later: readonly { id: string; task: string }[]): Promise<AsyncResult<R>[]> {
    const env = { store: await this.#parts.store, registry: this.#parts.registry, logger: this.#parts.logger };
    const taken = await enqueueEagerly(env, messages, later);
    if (taken !== undefined) throw idInUse(taken.task, taken.id);
    return Promise.all(messages.map((m) => new AsyncResult<R>(m.id, this.#parts.results).refresh()));
  }
}
