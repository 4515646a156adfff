import {
  type ApplyResult, type BroadcastListener, type ConnectionListener, type DeadLetter, type Delivery, type EnqueueOptions, type EventsListener,
  type QueueInfo, type RecordListener, type ReserveRequest, type RevokeListener, type StartedDelivery, type StateUpdate, type TaskMessage,
  type TaskQuery, type TaskView, type WorkerInfo, partitionOfId,
} from '@celeriac/core/adapter';
import type { TaskRecord, TaskState } from '@celeriac/core';
import type { ResolvedRedisStoreOptions } from '../store-options.js';
import { RedisClients } from './connection.js';
import { brokerKeys } from './keys.js';
import { PartitionAdmin } from './partition-admin.js';
import { PartitionReserver } from './partition-reserver.js';
import { partitionPrefixes } from './partition-tags.js';
import { SlotStore } from './slot-store.js';
import type { RedisStoreImpl } from './store-impl.js';
import { storeParts } from './store-parts.js';
import { SubscriberHub } from './subscriber-hub.js';
import { WakePulse } from './wake-signal.js';

/**
 * A Redis store spread over `partitions` hash slots (see docs/redis-cluster.md): one `SlotStore`
 * per partition, on its own `{tag}` (partition-tags.ts), all on one command connection (one
 * ioredis client or Cluster) and, on a single server, one pub/sub connection; on a cluster each
 * partition hears its slot's shard on a connection of its own.
 *
 * A task lives in one partition, named by its id alone (`partitionOfId`: the partition key hash an
 * id carries, else a hash of the id), since most calls get nothing else. Its message, record and
 * timeline share that slot, so each step is still one atomic script. Group counts go to the group
 * id's partition; a callback's `publishOnce` to its messages'. What is global lives in partition 0,
 * the home: workers, events, broadcasts, values (`compareAndSet`, schedules) and rate windows.
 * Reserves sweep the partitions (PartitionReserver); the admin API merges them (PartitionAdmin).
 */
export class PartitionedStore implements RedisStoreImpl {
  readonly options: Readonly<ResolvedRedisStoreOptions>;
  readonly #partitions: SlotStore[];
  readonly #home: SlotStore;
  readonly #clients: RedisClients;
  readonly #reserver: PartitionReserver;
  readonly #admin: PartitionAdmin;
  #closed = false;

  constructor(options: Readonly<ResolvedRedisStoreOptions>) {
    this.options = options;
    this.#clients = new RedisClients(options.connection, options.connectTimeout, brokerKeys(options.prefix).seq);
    const shared = { clients: this.#clients, hub: this.#clients.sharded ? undefined : new SubscriberHub(this.#clients), pulse: new WakePulse() };
    const prefixes = partitionPrefixes(options.prefix, options.partitions);
    this.#partitions = prefixes.map((prefix, index) => new SlotStore(storeParts({ ...options, prefix, partitions: 1 }, shared, { index, count: prefixes.length })));
    this.#home = this.#partitions[0] as SlotStore;
    this.#reserver = new PartitionReserver(this.#partitions, () => this.#closed);
    this.#admin = new PartitionAdmin(this.#partitions);
  }

  async connect(): Promise<void> {
    await Promise.all(this.#partitions.map((p) => p.connect()));
  }

  inboxKey(queue: string, taskId?: string): string {
    if (taskId === undefined) throw new TypeError(`inboxKey(): a store of ${this.#partitions.length} partitions has an inbox per partition: give the task id of the message to push`);
    return this.#of(taskId).inboxKey(queue);
  }

  /**
   * Each partition's messages in one atomic step. Ids the app generated are fresh and spread at
   * will; other ids are checked first across partitions (none twice, none in use), so a refusal
   * still refuses all. Only a concurrent enqueue of the same id, between that check and the
   * writes, can have one partition refuse while the others accept.
   */
  async enqueue(messages: readonly TaskMessage[], options?: EnqueueOptions): Promise<ApplyResult[]> {
    const groups = this.#grouped(messages);
    if (groups.size <= 1) return this.#of(messages[0]?.id ?? '').enqueue(messages, options);
    if (options?.freshIds !== true) {
      const refused = await this.#refusal(messages);
      if (refused !== undefined) return refused;
    }
    const results: ApplyResult[] = new Array(messages.length);
    await Promise.all([...groups].map(async ([partition, group]) => {
      const replies = await partition.enqueue(group.map((g) => g.message), options);
      group.forEach(({ at }, j) => (results[at] = replies[j] as ApplyResult));
    }));
    return results;
  }

  /** The all-refused answer if an id appears twice or is in use, else undefined. */
  async #refusal(messages: readonly TaskMessage[]): Promise<ApplyResult[] | undefined> {
    const ids = messages.map((m) => m.id);
    if (new Set(ids).size < ids.length) return ids.map(() => ({ applied: false, current: null }));
    const current = await Promise.all(ids.map((id) => this.get(id)));
    if (current.every((record) => record === null)) return undefined;
    return current.map((record) => ({ applied: false, current: record }));
  }

  async publish(messages: readonly TaskMessage[]): Promise<void> {
    await Promise.all([...this.#grouped(messages)].map(([partition, group]) => partition.publish(group.map((g) => g.message))));
  }

  reserve(request: ReserveRequest): Promise<StartedDelivery[]> {
    return this.#reserver.reserve(request);
  }

  settle(delivery: Delivery, update: StateUpdate, next?: TaskMessage): Promise<ApplyResult> {
    return this.#of(delivery.message.id).settle(delivery, update, next);
  }

  ack(delivery: Delivery): Promise<void> {
    return this.#of(delivery.message.id).ack(delivery);
  }

  deadLetter(delivery: Delivery, reason: string): Promise<void> {
    return this.#of(delivery.message.id).deadLetter(delivery, reason);
  }

  apply(update: StateUpdate, delivery?: Delivery): Promise<ApplyResult> {
    return this.#of(update.id).apply(update, delivery);
  }

  get(id: string): Promise<TaskRecord | null> {
    return this.#of(id).get(id);
  }

  forget(id: string): Promise<void> {
    return this.#of(id).forget(id);
  }

  subscribe(id: string, listener: RecordListener): Promise<() => void> {
    return this.#of(id).subscribe(id, listener);
  }

  revoke(taskId: string): Promise<TaskMessage | null> {
    return this.#of(taskId).revoke(taskId);
  }

  isRevoked(taskId: string): Promise<boolean> {
    return this.#of(taskId).isRevoked(taskId);
  }

  /** Revocations are published in the revoked task's partition: every partition is listened to. */
  async onRevoke(listener: RevokeListener): Promise<() => void> {
    const stops = await Promise.all(this.#partitions.map((p) => p.onRevoke(listener)));
    return () => {
      for (const stop of stops) stop();
    };
  }

  deadLetters(limit?: number, offset?: number): Promise<DeadLetter[]> {
    return this.#admin.deadLetters(limit, offset);
  }

  purgeDeadLetters(ids?: readonly string[]): Promise<number> {
    return this.#admin.purgeDeadLetters(ids);
  }

  retryDeadLetter(id: string): Promise<boolean> {
    return this.#admin.retryDeadLetter(id, this.#of(id));
  }

  /**
   * Marked in the partition of the messages, with them, in one step (a chord's callback: one
   * message). Messages of several partitions: the first one's are published with the mark, the
   * others after it (a crash in between leaves those unpublished; core never sends such a set).
   */
  async publishOnce(key: string, messages: readonly TaskMessage[]): Promise<boolean> {
    const [first, ...others] = [...this.#grouped(messages)];
    if (first === undefined) return this.#of(key).publishOnce(key, messages);
    if (!(await first[0].publishOnce(key, first[1].map((g) => g.message)))) return false;
    await Promise.all(others.map(([partition, group]) => partition.publish(group.map((g) => g.message))));
    return true;
  }

  completeGroupMember(groupId: string, memberId: string, size: number): Promise<boolean> {
    return this.#of(groupId).completeGroupMember(groupId, memberId, size);
  }

  compareAndSet(key: string, expected: string | null, value: string, ttlMs?: number): Promise<boolean> {
    return this.#home.compareAndSet(key, expected, value, ttlMs);
  }

  getValue(key: string): Promise<string | null> {
    return this.#home.getValue(key);
  }

  reopen(id: string, reason?: string): Promise<ApplyResult> {
    return this.#of(id).reopen(id, reason);
  }

  async remember(messages: readonly TaskMessage[]): Promise<void> {
    await Promise.all([...this.#grouped(messages)].map(([partition, group]) => partition.remember(group.map((g) => g.message))));
  }

  message(id: string): Promise<TaskMessage | null> {
    return this.#of(id).message(id);
  }

  size(queue: string): Promise<number> {
    return this.#admin.size(queue);
  }

  queues(): Promise<QueueInfo[]> {
    return this.#admin.queues();
  }

  pauseQueue(queue: string, paused: boolean): Promise<void> {
    return this.#admin.pause(queue, paused);
  }

  purgeQueue(queue: string, max = 1_000): Promise<TaskMessage[]> {
    if (!Number.isSafeInteger(max) || max < 1) throw new TypeError(`purgeQueue(): max must be a positive integer, got ${String(max)}`);
    return this.#admin.purge(queue, max);
  }

  taskCounts(): Promise<Record<TaskState, number>> {
    return this.#admin.taskCounts();
  }

  listTasks(query: TaskQuery): Promise<TaskRecord[]> {
    return this.#admin.listTasks(query);
  }

  viewTask(id: string): Promise<TaskView | null> {
    return this.#of(id).viewTask(id);
  }

  retryTask(id: string): Promise<boolean> {
    return this.#of(id).retryTask(id);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#partitions.map((p) => p.close()));
    await this.#clients.release();
  }

  // 8. Workers and events: global, in the home partition.

  heartbeatWorker(info: WorkerInfo, ttlMs: number): Promise<void> {
    return this.#home.heartbeatWorker(info, ttlMs);
  }

  removeWorker(id: string): Promise<void> {
    return this.#home.removeWorker(id);
  }

  workers(): Promise<WorkerInfo[]> {
    return this.#home.workers();
  }

  broadcast(message: string): Promise<void> {
    return this.#home.broadcast(message);
  }

  onBroadcast(listener: BroadcastListener): Promise<() => void> {
    return this.#home.onBroadcast(listener);
  }

  appendEvents(events: readonly string[]): Promise<void> {
    return this.#home.appendEvents(events);
  }

  recentEvents(limit: number): Promise<string[]> {
    return this.#home.recentEvents(limit);
  }

  followEvents(listener: EventsListener, since?: number): Promise<() => void> {
    return this.#home.followEvents(listener, since);
  }

  /** The partitions share the home's command connection: its changes are the store's. */
  onConnectionChange(listener: ConnectionListener): () => void {
    return this.#home.onConnectionChange(listener);
  }

  #of(id: string): SlotStore {
    return this.#partitions[partitionOfId(id, this.#partitions.length)] as SlotStore;
  }

  /** The messages per partition, each with its place in `messages`, in partition order of first appearance. */
  #grouped(messages: readonly TaskMessage[]): Map<SlotStore, { message: TaskMessage; at: number }[]> {
    const groups = new Map<SlotStore, { message: TaskMessage; at: number }[]>();
    messages.forEach((message, at) => {
      const partition = this.#of(message.id);
      const group = groups.get(partition);
      if (group === undefined) groups.set(partition, [{ message, at }]);
      else group.push({ message, at });
    });
    return groups;
  }
}
