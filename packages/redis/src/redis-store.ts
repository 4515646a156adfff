import type {
  ApplyResult, BroadcastListener, ConnectionListener, DeadLetter, Delivery, EnqueueOptions, EventsListener,
  QueueInfo, RecordListener, ReserveRequest, ResultBackend, RevokeListener, StartedDelivery, StateUpdate, TaskMessage,
  TaskQuery, TaskStore, TaskView, WorkerInfo,
} from '@celeriac/core/adapter';
import { type TaskRecord, type TaskState, TaskStates } from '@celeriac/core';
import { QueueAdmin } from './internal/queue-admin.js';
import { type RedisStoreOptions, type ResolvedRedisStoreOptions, resolveStoreOptions } from './store-options.js';
import { EnqueueStep } from './internal/enqueue-step.js';
import { MessageQueue } from './internal/message-queue.js';
import type { StartOnReserve } from './internal/reserver.js';
import { SettleStep } from './internal/settle-step.js';
import { startOnReserve } from './internal/start-on-reserve.js';
import { type StoreParts, storeParts } from './internal/store-parts.js';
import { TaskListing } from './internal/task-listing.js';
import { TaskRecords } from './internal/task-records.js';
import { watchConnection } from './internal/connection-watch.js';
import { RedisWorkersAndEvents, operationKeys, sideChannels } from './internal/workers-and-events.js';

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
  readonly #operations: RedisWorkersAndEvents;
  readonly #watchers = new Set<() => void>();
  readonly #queueAdmin: QueueAdmin;
  readonly #tasks: TaskListing;
  #closed = false;

  constructor(options: RedisStoreOptions = {}) {
    this.options = resolveStoreOptions(options);
    this.#parts = storeParts(this.options);
    this.#queue = new MessageQueue(this.#parts);
    this.#records = new TaskRecords(this.#parts);
    const handBack = (m: TaskMessage) => this.#records.apply({ id: m.id, task: m.task, attempt: m.attempt, state: TaskStates.PENDING, meta: { reason: 'handed back before it ran' } });
    this.#start = startOnReserve(this.#records, handBack);
    this.#enqueues = new EnqueueStep(this.#parts, this.#records, this.#start);
    this.#settles = new SettleStep(this.#parts, this.#records);
    this.#operations = new RedisWorkersAndEvents(sideChannels(this.#parts), operationKeys(this.#parts.options.prefix), this.#parts.options.eventLimit);
    this.#queueAdmin = new QueueAdmin(this.#parts, () => this.#records.recordHeader());
    this.#tasks = new TaskListing(this.#parts);
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

  /** `ResultBackend.reopen`, for a store that is another broker's backend (`splitStore(new AmqpBroker(…), redisStore)`). */
  reopen(id: string, reason?: string): Promise<ApplyResult> {
    this.#assertOpen();
    return this.#records.reopen(id, reason);
  }

  getValue(key: string): Promise<string | null> {
    this.#assertOpen();
    return this.#records.getValue(key);
  }

  size(queue: string): Promise<number> {
    this.#assertOpen();
    return this.#queue.size(queue);
  }

  queues(): Promise<QueueInfo[]> {
    this.#assertOpen();
    return this.#queueAdmin.queues();
  }

  pauseQueue(queue: string, paused: boolean): Promise<void> {
    this.#assertOpen();
    return this.#queueAdmin.pause(queue, paused);
  }

  purgeQueue(queue: string, max = 1_000): Promise<TaskMessage[]> {
    this.#assertOpen();
    return this.#queueAdmin.purge(queue, max);
  }

  // Task listing (see internal/task-listing.ts): finished tasks from bounded lists, live ones from the messages.
  taskCounts(): Promise<Record<TaskState, number>> {
    this.#assertOpen();
    return this.#tasks.counts();
  }

  listTasks(query: TaskQuery): Promise<TaskRecord[]> {
    this.#assertOpen();
    return this.#tasks.list(query);
  }

  viewTask(id: string): Promise<TaskView | null> {
    this.#assertOpen();
    return this.#tasks.view(id);
  }

  retryTask(id: string): Promise<boolean> {
    this.#assertOpen();
    return this.#tasks.retry(id);
  }

  /** Keeps each message with its task, as long as its record (`ResultBackend.remember`, for a store used as another broker's backend). */
  remember(messages: readonly TaskMessage[]): Promise<void> {
    this.#assertOpen();
    return this.#tasks.remember(messages);
  }

  /** The message of a task: waiting or running, or kept with its record once finished (`ResultBackend.message`). */
  message(id: string): Promise<TaskMessage | null> {
    this.#assertOpen();
    return this.#tasks.message(id);
  }

  /**
   * Waits for queued writes, stops heartbeats, and closes the connections this store made (never a
   * given ioredis instance). Deliveries not settled stay leased until they expire, then go elsewhere.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const unwatch of this.#watchers) unwatch();
    await this.#queue.close();
    await Promise.all([this.#enqueues.drain(), this.#settles.drain()]);
    await this.#records.close();
    this.#parts.replicaAcks?.close();
    await this.#parts.clients.release();
  }

  // 8. Workers and events (see internal/workers-and-events.ts)

  heartbeatWorker(info: WorkerInfo, ttlMs: number): Promise<void> {
    this.#assertOpen();
    return this.#operations.heartbeatWorker(info, ttlMs);
  }

  removeWorker(id: string): Promise<void> {
    this.#assertOpen();
    return this.#operations.removeWorker(id);
  }

  workers(): Promise<WorkerInfo[]> {
    this.#assertOpen();
    return this.#operations.workers();
  }

  broadcast(message: string): Promise<void> {
    this.#assertOpen();
    return this.#operations.broadcast(message);
  }

  onBroadcast(listener: BroadcastListener): Promise<() => void> {
    this.#assertOpen();
    return this.#operations.onBroadcast(listener);
  }

  appendEvents(events: readonly string[]): Promise<void> {
    this.#assertOpen();
    return this.#operations.appendEvents(events);
  }

  recentEvents(limit: number): Promise<string[]> {
    this.#assertOpen();
    return this.#operations.recentEvents(limit);
  }

  followEvents(listener: EventsListener, since?: number): Promise<() => void> {
    this.#assertOpen();
    return this.#operations.followEvents(listener, since);
  }

  /** Told when the command connection is lost after it was ready, and when it is ready again (see internal/connection-watch.ts). */
  onConnectionChange(listener: ConnectionListener): () => void {
    this.#assertOpen();
    const unwatch = watchConnection(this.#parts.clients.command, listener);
    this.#watchers.add(unwatch);
    return () => {
      this.#watchers.delete(unwatch);
      unwatch();
    };
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('RedisStore is closed');
  }
}

/** The usual set-up: `new Celeriac({ store: createRedisStore({ connection: process.env.REDIS_URL }) })`. */
export function createRedisStore(options: RedisStoreOptions = {}): RedisStore {
  return new RedisStore(options);
}
