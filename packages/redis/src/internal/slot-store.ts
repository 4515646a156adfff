import type {
  ApplyResult, BroadcastListener, ConnectionListener, DeadLetter, Delivery, EnqueueOptions, EventsListener,
  QueueInfo, RecordListener, ReserveRequest, RevokeListener, StartedDelivery, StateUpdate, TaskMessage,
  TaskQuery, TaskView, WorkerInfo,
} from '@celeriac/core/adapter';
import { type TaskRecord, type TaskState, TaskStates } from '@celeriac/core';
import { QueueAdmin } from './queue-admin.js';
import type { ResolvedRedisStoreOptions } from '../store-options.js';
import { EnqueueStep } from './enqueue-step.js';
import { MessageQueue } from './message-queue.js';
import type { StartOnReserve } from './reserver.js';
import { SettleStep } from './settle-step.js';
import { startOnReserve } from './start-on-reserve.js';
import type { StoreParts } from './store-parts.js';
import type { RedisStoreImpl } from './store-impl.js';
import type { SlotReserveRequest } from './reserve-args.js';
import { TaskListing } from './task-listing.js';
import { TaskRecords } from './task-records.js';
import { watchConnection } from './connection-watch.js';
import { RedisWorkersAndEvents, operationKeys, sideChannels } from './workers-and-events.js';

/**
 * One Redis store on one hash slot (`{prefix}`): the whole store when `partitions` is 1, one
 * partition of a partitioned one otherwise (see partitioned-store.ts). Every step the contract
 * makes atomic is one Lua script call, and calls made in the same turn of the event loop share one.
 * Built of a message queue and task records on the same parts (see store-parts.ts); the steps
 * that span both (enqueue, reserve with STARTED, settle) are here. The `RedisStore` facade checks
 * that the store is open. The mechanisms are described in docs/redis-internals.md.
 */
export class SlotStore implements RedisStoreImpl {
  readonly options: Readonly<ResolvedRedisStoreOptions>;
  /** What this store is built of: the composite of a partitioned store reserves and waits through it. */
  readonly parts: StoreParts;
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

  constructor(parts: StoreParts) {
    this.options = parts.options;
    this.parts = parts;
    this.#queue = new MessageQueue(this.parts);
    this.#records = new TaskRecords(this.parts);
    const handBack = (m: TaskMessage) => this.#records.apply({ id: m.id, task: m.task, attempt: m.attempt, state: TaskStates.PENDING, meta: { reason: 'handed back before it ran' } });
    this.#start = startOnReserve(this.#records, handBack);
    this.#enqueues = new EnqueueStep(this.parts, this.#records, this.#start);
    this.#settles = new SettleStep(this.parts, this.#records);
    this.#operations = new RedisWorkersAndEvents(sideChannels(this.parts), operationKeys(this.parts.options.prefix), this.parts.options.eventLimit);
    this.#queueAdmin = new QueueAdmin(this.parts, () => this.#records.recordHeader());
    this.#tasks = new TaskListing(this.parts);
  }

  /** Resolves once Redis is reachable; rejects with `RedisUnavailableError` after `connectTimeout`. Optional: every call connects. */
  async connect(): Promise<void> {
    await this.parts.clients.ready();
  }

  /** The list a foreign producer (any language) may RPUSH JSON task messages to: they are validated on reserve. */
  inboxKey(queue: string): string {
    return this.parts.keys.inbox(queue);
  }

  enqueue(messages: readonly TaskMessage[], options?: EnqueueOptions): Promise<ApplyResult[]> {
    return this.#enqueues.enqueue(messages, options);
  }

  publish(messages: readonly TaskMessage[]): Promise<void> {
    return this.#queue.publish(messages);
  }

  reserve(request: ReserveRequest): Promise<StartedDelivery[]> {
    return this.#queue.reserve(request, this.#start);
  }

  /** One look without sleeping, for a partitioned store (see Reserver.look). */
  look(request: SlotReserveRequest): Promise<{ deliveries: StartedDelivery[]; nextDue: number } | undefined> {
    return this.#queue.look(request, this.#start);
  }

  settle(delivery: Delivery, update: StateUpdate, next?: TaskMessage): Promise<ApplyResult> {
    return this.#settles.settle(delivery, update, next, (d) => this.#queue.ack(d));
  }

  ack(delivery: Delivery): Promise<void> {
    return this.#queue.ack(delivery);
  }

  deadLetter(delivery: Delivery, reason: string): Promise<void> {
    return this.#queue.deadLetter(delivery, reason);
  }

  apply(update: StateUpdate, delivery?: Delivery): Promise<ApplyResult> {
    return this.#records.apply(update, delivery);
  }

  get(id: string): Promise<TaskRecord | null> {
    return this.#records.get(id);
  }

  forget(id: string): Promise<void> {
    return this.#records.forget(id);
  }

  subscribe(id: string, listener: RecordListener): Promise<() => void> {
    return this.#records.subscribe(id, listener);
  }

  revoke(taskId: string): Promise<TaskMessage | null> {
    return this.#queue.revoke(taskId);
  }

  isRevoked(taskId: string): Promise<boolean> {
    return this.#queue.isRevoked(taskId);
  }

  onRevoke(listener: RevokeListener): Promise<() => void> {
    return this.#queue.onRevoke(listener);
  }

  deadLetters(limit?: number, offset?: number): Promise<DeadLetter[]> {
    return this.#queue.deadLetters(limit, offset);
  }

  purgeDeadLetters(ids?: readonly string[]): Promise<number> {
    return this.#queue.purgeDeadLetters(ids);
  }

  publishOnce(key: string, messages: readonly TaskMessage[]): Promise<boolean> {
    return this.#queue.publishOnce(key, messages);
  }

  retryDeadLetter(id: string): Promise<boolean> {
    return this.#queue.retryDeadLetter(id);
  }

  completeGroupMember(groupId: string, memberId: string, size: number): Promise<boolean> {
    return this.#records.completeGroupMember(groupId, memberId, size);
  }

  compareAndSet(key: string, expected: string | null, value: string, ttlMs?: number): Promise<boolean> {
    return this.#records.compareAndSet(key, expected, value, ttlMs);
  }

  /** `ResultBackend.reopen`, for a store that is another broker's backend (`splitStore(new AmqpBroker(…), redisStore)`). */
  reopen(id: string, reason?: string): Promise<ApplyResult> {
    return this.#records.reopen(id, reason);
  }

  getValue(key: string): Promise<string | null> {
    return this.#records.getValue(key);
  }

  size(queue: string): Promise<number> {
    return this.#queue.size(queue);
  }

  queues(): Promise<QueueInfo[]> {
    return this.#queueAdmin.queues();
  }

  pauseQueue(queue: string, paused: boolean): Promise<void> {
    return this.#queueAdmin.pause(queue, paused);
  }

  purgeQueue(queue: string, max = 1_000): Promise<TaskMessage[]> {
    return this.#queueAdmin.purge(queue, max);
  }

  // Task listing (see internal/task-listing.ts): finished tasks from bounded lists, live ones from the messages.
  taskCounts(): Promise<Record<TaskState, number>> {
    return this.#tasks.counts();
  }

  listTasks(query: TaskQuery): Promise<TaskRecord[]> {
    return this.#tasks.list(query);
  }

  viewTask(id: string): Promise<TaskView | null> {
    return this.#tasks.view(id);
  }

  retryTask(id: string): Promise<boolean> {
    return this.#tasks.retry(id);
  }

  /** Keeps each message with its task, as long as its record (`ResultBackend.remember`, for a store used as another broker's backend). */
  remember(messages: readonly TaskMessage[]): Promise<void> {
    return this.#tasks.remember(messages);
  }

  /** The message of a task: waiting or running, or kept with its record once finished (`ResultBackend.message`). */
  message(id: string): Promise<TaskMessage | null> {
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
    this.parts.replicaAcks?.close();
    await this.parts.clients.release();
  }

  // 8. Workers and events (see internal/workers-and-events.ts)

  heartbeatWorker(info: WorkerInfo, ttlMs: number): Promise<void> {
    return this.#operations.heartbeatWorker(info, ttlMs);
  }

  removeWorker(id: string): Promise<void> {
    return this.#operations.removeWorker(id);
  }

  workers(): Promise<WorkerInfo[]> {
    return this.#operations.workers();
  }

  broadcast(message: string): Promise<void> {
    return this.#operations.broadcast(message);
  }

  onBroadcast(listener: BroadcastListener): Promise<() => void> {
    return this.#operations.onBroadcast(listener);
  }

  appendEvents(events: readonly string[]): Promise<void> {
    return this.#operations.appendEvents(events);
  }

  recentEvents(limit: number): Promise<string[]> {
    return this.#operations.recentEvents(limit);
  }

  followEvents(listener: EventsListener, since?: number): Promise<() => void> {
    return this.#operations.followEvents(listener, since);
  }

  /** Told when the command connection is lost after it was ready, and when it is ready again (see internal/connection-watch.ts). */
  onConnectionChange(listener: ConnectionListener): () => void {
    const unwatch = watchConnection(this.parts.clients.command, listener);
    this.#watchers.add(unwatch);
    return () => {
      this.#watchers.delete(unwatch);
      unwatch();
    };
  }
}
