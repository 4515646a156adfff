import type { ApplyResult, DeadLetter, Delivery, EnqueueOptions, RecordListener, ReserveRequest, ResultBackend, RevokeListener, StartedDelivery, StateUpdate, TaskMessage, TaskStore } from '@celeriac/core/adapter';
import { type TaskRecord, TaskStates } from '@celeriac/core';
import { type RedisStoreOptions, type ResolvedRedisStoreOptions, resolveStoreOptions } from './store-options.js';
import { EnqueueStep } from './internal/enqueue-step.js';
import { MessageQueue } from './internal/message-queue.js';
import type { StartOnReserve } from './internal/reserver.js';
import { SettleStep } from './internal/settle-step.js';
import { startOnReserve } from './internal/start-on-reserve.js';
import { type StoreParts, storeParts } from './internal/store-parts.js';
import { TaskRecords } from './internal/task-records.js';

/**
 * Tasks and their states in Redis, for producers and workers in many processes: the production
 * store. One command connection and one pub/sub connection per store; a given ioredis instance
 * is borrowed, never closed. Every step the contract makes atomic is one Lua script call, and
 * calls made in the same turn of the event loop share one. Built of a message queue and task
 * records on the same parts (see internal/store-parts.ts); the steps that span both (enqueue,
 * reserve with STARTED, settle) are here. The mechanisms are described in docs/redis-internals.md.
 */
export class RedisStore implements TaskStore, ResultBackend {
  readonly options: Readonly<ResolvedRedisStoreOptions>;
  readonly #parts: StoreParts;
  readonly #queue: MessageQueue;
  readonly #records: TaskRecords;
  readonly #start: StartOnReserve;
  readonly #enqueues: EnqueueStep;
  readonly #settles: SettleStep;
  #closed = false;

  constructor(options: RedisStoreOptions = {}) {
    this.options = resolveStoreOptions(options);
    this.#parts = storeParts(this.options);
    this.#queue = new MessageQueue(this.#parts);
    this.#records = new TaskRecords(this.#parts);
    this.#start = startOnReserve(this.#records, (message) =>
      this.#records.apply({ id: message.id, task: message.task, attempt: message.attempt, state: TaskStates.PENDING, meta: { reason: 'handed back before it ran' } }),
    );
    this.#enqueues = new EnqueueStep(this.#parts, this.#records, this.#start);
    this.#settles = new SettleStep(this.#parts, this.#records);
  }

  /** Resolves once Redis is reachable; rejects with `RedisUnavailableError` after `connectTimeout`. Optional: every call connects. */
  async connect(): Promise<void> {
    await this.#parts.clients.ready();
  }

  /** The list a foreign producer (any language) may RPUSH JSON task messages to: they are validated on reserve. */
  inboxKey(queue: string): string {
    return this.#parts.keys.inbox(queue);
  }

  enqueue(messages: readonly TaskMessage[], options?: EnqueueOptions): Promise<ApplyResult[]> {
    this.#assertOpen();
    return this.#enqueues.enqueue(messages, options);
  }

  publish(messages: readonly TaskMessage[]): Promise<void> {
    this.#assertOpen();
    return this.#queue.publish(messages);
  }

  reserve(request: ReserveRequest): Promise<StartedDelivery[]> {
    this.#assertOpen();
    return this.#queue.reserve(request, this.#start);
  }

  settle(delivery: Delivery, update: StateUpdate, next?: TaskMessage): Promise<ApplyResult> {
    this.#assertOpen();
    return this.#settles.settle(delivery, update, next, (d) => this.#queue.ack(d));
  }

  ack(delivery: Delivery): Promise<void> {
    return this.#queue.ack(delivery);
  }

  deadLetter(delivery: Delivery, reason: string): Promise<void> {
    return this.#queue.deadLetter(delivery, reason);
  }

  apply(update: StateUpdate, delivery?: Delivery): Promise<ApplyResult> {
    this.#assertOpen();
    return this.#records.apply(update, delivery);
  }

  get(id: string): Promise<TaskRecord | null> {
    this.#assertOpen();
    return this.#records.get(id);
  }

  forget(id: string): Promise<void> {
    this.#assertOpen();
    return this.#records.forget(id);
  }

  subscribe(id: string, listener: RecordListener): Promise<() => void> {
    this.#assertOpen();
    return this.#records.subscribe(id, listener);
  }

  revoke(taskId: string): Promise<TaskMessage | null> {
    this.#assertOpen();
    return this.#queue.revoke(taskId);
  }

  isRevoked(taskId: string): Promise<boolean> {
    this.#assertOpen();
    return this.#queue.isRevoked(taskId);
  }

  onRevoke(listener: RevokeListener): Promise<() => void> {
    this.#assertOpen();
    return this.#queue.onRevoke(listener);
  }

  deadLetters(limit?: number, offset?: number): Promise<DeadLetter[]> {
    this.#assertOpen();
    return this.#queue.deadLetters(limit, offset);
  }

  purgeDeadLetters(ids?: readonly string[]): Promise<number> {
    this.#assertOpen();
    return this.#queue.purgeDeadLetters(ids);
  }

  publishOnce(key: string, messages: readonly TaskMessage[]): Promise<boolean> {
    this.#assertOpen();
    return this.#queue.publishOnce(key, messages);
  }

  retryDeadLetter(id: string): Promise<boolean> {
    this.#assertOpen();
    return this.#queue.retryDeadLetter(id);
  }

  completeGroupMember(groupId: string, memberId: string, size: number): Promise<boolean> {
    this.#assertOpen();
    return this.#records.completeGroupMember(groupId, memberId, size);
  }

  compareAndSet(key: string, expected: string | null, value: string, ttlMs?: number): Promise<boolean> {
    this.#assertOpen();
    return this.#records.compareAndSet(key, expected, value, ttlMs);
  }

  /**
   * A FAILURE record back to PENDING, seq + 1 and attempt + 1 (a dead letter requeued by another
   * broker): with it a `RedisStore` is also a `ResultBackend`, to pair with a broker that keeps the
   * messages elsewhere (`splitStore(new AmqpBroker(…), redisStore)`). Its own dead letters reopen
   * their records in `retryDeadLetter`.
   */
  reopen(id: string): Promise<ApplyResult> {
    this.#assertOpen();
    return this.#records.reopen(id);
  }

  getValue(key: string): Promise<string | null> {
    this.#assertOpen();
    return this.#records.getValue(key);
  }

  size(queue: string): Promise<number> {
    this.#assertOpen();
    return this.#queue.size(queue);
  }

  /**
   * Waits for queued writes, stops heartbeats, and closes the connections this store made (never
   * a given ioredis instance). Deliveries not settled stay leased until their lease expires, then
   * go to another worker.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.close();
    await Promise.all([this.#enqueues.drain(), this.#settles.drain()]);
    await this.#records.close();
    await this.#parts.clients.release();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('RedisStore is closed');
  }
}

/** The usual set-up: `new Celeriac({ store: createRedisStore({ connection: process.env.REDIS_URL }) })`. */
export function createRedisStore(options: RedisStoreOptions = {}): RedisStore {
  return new RedisStore(options);
}
