import type {
  ApplyResult, BroadcastListener, ConnectionListener, DeadLetter, Delivery, EnqueueOptions, EventsListener,
  QueueInfo, RecordListener, ReserveRequest, ResultBackend, RevokeListener, StartedDelivery, StateUpdate, TaskMessage,
  TaskQuery, TaskStore, TaskView, WorkerInfo,
} from '@celeriac/core/adapter';
import type { TaskRecord, TaskState } from '@celeriac/core';
import { type RedisStoreOptions, type ResolvedRedisStoreOptions, resolveStoreOptions } from './store-options.js';
import { PartitionedStore } from './internal/partitioned-store.js';
import { SlotStore } from './internal/slot-store.js';
import type { RedisStoreImpl } from './internal/store-impl.js';
import { storeParts } from './internal/store-parts.js';

/**
 * Tasks and their states in Redis, for producers and workers in many processes: the production
 * store. One command connection and one pub/sub connection per store (on a cluster, one per
 * partition's slot); a given ioredis instance is borrowed, never closed. With `partitions: 1` (the
 * default) the whole store is one hash slot (internal/slot-store.ts); with more, a composite of
 * that many (internal/partitioned-store.ts). The mechanisms are described in
 * docs/redis-internals.md, partitions in docs/redis-cluster.md.
 */
export class RedisStore implements TaskStore, ResultBackend {
  readonly options: Readonly<ResolvedRedisStoreOptions>;
  readonly #impl: RedisStoreImpl;
  #closed = false;

  constructor(options: RedisStoreOptions = {}) {
    this.options = resolveStoreOptions(options);
    this.#impl = this.options.partitions === 1 ? new SlotStore(storeParts(this.options)) : new PartitionedStore(this.options);
  }

  /** Resolves once Redis is reachable; rejects with `RedisUnavailableError` after `connectTimeout`. Optional: every call connects. */
  connect(): Promise<void> {
    return this.#impl.connect();
  }

  /**
   * The list a foreign producer (any language) may RPUSH JSON task messages to: they are validated
   * on reserve. With `partitions` above 1, each partition has its own: give the message's task id,
   * whose partition it must go to (see docs/redis-cluster.md).
   */
  inboxKey(queue: string, taskId?: string): string {
    return this.#impl.inboxKey(queue, taskId);
  }

  enqueue(messages: readonly TaskMessage[], options?: EnqueueOptions): Promise<ApplyResult[]> {
    return this.#open().enqueue(messages, options);
  }

  publish(messages: readonly TaskMessage[]): Promise<void> {
    return this.#open().publish(messages);
  }

  reserve(request: ReserveRequest): Promise<StartedDelivery[]> {
    return this.#open().reserve(request);
  }

  settle(delivery: Delivery, update: StateUpdate, next?: TaskMessage): Promise<ApplyResult> {
    return this.#open().settle(delivery, update, next);
  }

  ack(delivery: Delivery): Promise<void> {
    return this.#impl.ack(delivery);
  }

  deadLetter(delivery: Delivery, reason: string): Promise<void> {
    return this.#impl.deadLetter(delivery, reason);
  }

  apply(update: StateUpdate, delivery?: Delivery): Promise<ApplyResult> {
    return this.#open().apply(update, delivery);
  }

  get(id: string): Promise<TaskRecord | null> {
    return this.#open().get(id);
  }

  forget(id: string): Promise<void> {
    return this.#open().forget(id);
  }

  subscribe(id: string, listener: RecordListener): Promise<() => void> {
    return this.#open().subscribe(id, listener);
  }

  revoke(taskId: string): Promise<TaskMessage | null> {
    return this.#open().revoke(taskId);
  }

  isRevoked(taskId: string): Promise<boolean> {
    return this.#open().isRevoked(taskId);
  }

  onRevoke(listener: RevokeListener): Promise<() => void> {
    return this.#open().onRevoke(listener);
  }

  deadLetters(limit?: number, offset?: number): Promise<DeadLetter[]> {
    return this.#open().deadLetters(limit, offset);
  }

  purgeDeadLetters(ids?: readonly string[]): Promise<number> {
    return this.#open().purgeDeadLetters(ids);
  }

  publishOnce(key: string, messages: readonly TaskMessage[]): Promise<boolean> {
    return this.#open().publishOnce(key, messages);
  }

  retryDeadLetter(id: string): Promise<boolean> {
    return this.#open().retryDeadLetter(id);
  }

  completeGroupMember(groupId: string, memberId: string, size: number): Promise<boolean> {
    return this.#open().completeGroupMember(groupId, memberId, size);
  }

  compareAndSet(key: string, expected: string | null, value: string, ttlMs?: number): Promise<boolean> {
    return this.#open().compareAndSet(key, expected, value, ttlMs);
  }

  /** `ResultBackend.reopen`, for a store that is another broker's backend (`splitStore(new AmqpBroker(…), redisStore)`). */
  reopen(id: string, reason?: string): Promise<ApplyResult> {
    return this.#open().reopen(id, reason);
  }

  getValue(key: string): Promise<string | null> {
    return this.#open().getValue(key);
  }

  size(queue: string): Promise<number> {
    return this.#open().size(queue);
  }

  queues(): Promise<QueueInfo[]> {
    return this.#open().queues();
  }

  pauseQueue(queue: string, paused: boolean): Promise<void> {
    return this.#open().pauseQueue(queue, paused);
  }

  purgeQueue(queue: string, max = 1_000): Promise<TaskMessage[]> {
    return this.#open().purgeQueue(queue, max);
  }

  // Task listing (see internal/task-listing.ts): finished tasks from bounded lists, live ones from the messages.
  taskCounts(): Promise<Record<TaskState, number>> {
    return this.#open().taskCounts();
  }

  listTasks(query: TaskQuery): Promise<TaskRecord[]> {
    return this.#open().listTasks(query);
  }

  viewTask(id: string): Promise<TaskView | null> {
    return this.#open().viewTask(id);
  }

  retryTask(id: string): Promise<boolean> {
    return this.#open().retryTask(id);
  }

  /** Keeps each message with its task, as long as its record (`ResultBackend.remember`, for a store used as another broker's backend). */
  remember(messages: readonly TaskMessage[]): Promise<void> {
    return this.#open().remember(messages);
  }

  /** The message of a task: waiting or running, or kept with its record once finished (`ResultBackend.message`). */
  message(id: string): Promise<TaskMessage | null> {
    return this.#open().message(id);
  }

  /**
   * Waits for queued writes, stops heartbeats, and closes the connections this store made (never a
   * given ioredis instance). Deliveries not settled stay leased until they expire, then go elsewhere.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#impl.close();
  }

  // 8. Workers and events (see internal/workers-and-events.ts)

  heartbeatWorker(info: WorkerInfo, ttlMs: number): Promise<void> {
    return this.#open().heartbeatWorker(info, ttlMs);
  }

  removeWorker(id: string): Promise<void> {
    return this.#open().removeWorker(id);
  }

  workers(): Promise<WorkerInfo[]> {
    return this.#open().workers();
  }

  broadcast(message: string): Promise<void> {
    return this.#open().broadcast(message);
  }

  onBroadcast(listener: BroadcastListener): Promise<() => void> {
    return this.#open().onBroadcast(listener);
  }

  appendEvents(events: readonly string[]): Promise<void> {
    return this.#open().appendEvents(events);
  }

  recentEvents(limit: number): Promise<string[]> {
    return this.#open().recentEvents(limit);
  }

  followEvents(listener: EventsListener, since?: number): Promise<() => void> {
    return this.#open().followEvents(listener, since);
  }

  /** Told when the command connection is lost after it was ready, and when it is ready again (see internal/connection-watch.ts). */
  onConnectionChange(listener: ConnectionListener): () => void {
    return this.#open().onConnectionChange(listener);
  }

  /** The implementation, once the store is known to be open. */
  #open(): RedisStoreImpl {
    if (this.#closed) throw new Error('RedisStore is closed');
    return this.#impl;
  }
}

/** The usual set-up: `new Celeriac({ store: createRedisStore({ connection: process.env.REDIS_URL }) })`. */
export function createRedisStore(options: RedisStoreOptions = {}): RedisStore {
  return new RedisStore(options);
}
