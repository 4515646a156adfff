import type {
  ApplyResult,
  BroadcastListener,
  ConnectionListener,
  DeadLetter,
  Delivery,
  EventsListener,
  QueueInfo,
  RecordListener,
  ReserveRequest,
  RevokeListener,
  StartedDelivery,
  StateUpdate,
  TaskMessage,
  TaskQuery,
  TaskStore,
  TaskView,
  WorkerInfo,
} from '@celeriac/core/adapter';
import { PURGED_REASON, retriedMessage } from '@celeriac/core/adapter';
import { type TaskRecord, type TaskState, TaskStates, isTerminal } from '@celeriac/core';
import { type MemoryBackendOptions, MemoryBackend } from './memory-backend.js';
import { MemoryBroker } from './memory-broker.js';
import type { MemoryBrokerOptions } from './internal/dead-letter-queue.js';

const RETRIED_REASON = 'retried';

/** Options of `MemoryStore`. */
export type MemoryStoreOptions = MemoryBackendOptions & MemoryBrokerOptions;

/**
 * Tasks and their states in this process's memory: the embedded default, and the store for app
 * tests. Nothing survives the process; use `@celeriac/redis` when that matters. Each step that
 * the contract makes atomic (enqueue, reserve with STARTED, settle) runs with no await inside, so
 * nothing else in the process can come between its parts.
 */
export class MemoryStore implements TaskStore {
  readonly #broker: MemoryBroker;
  readonly #backend: MemoryBackend;
  /** publishOnce keys, kept as long as finished records (a group's callback is long done by then). */
  readonly #once = new Map<string, number>();
  readonly #resultTtl: number;

  constructor(options: MemoryStoreOptions = {}) {
    const { resultTtl, deadLetterLimit, deadLetterTtl, eventLimit, taskListLimit, taskListTtl } = options;
    this.#backend = new MemoryBackend({
      ...(resultTtl === undefined ? {} : { resultTtl }),
      ...(eventLimit === undefined ? {} : { eventLimit }),
      ...(taskListLimit === undefined ? {} : { taskListLimit }),
      ...(taskListTtl === undefined ? {} : { taskListTtl }),
    });
    this.#broker = new MemoryBroker({ ...(deadLetterLimit === undefined ? {} : { deadLetterLimit }), ...(deadLetterTtl === undefined ? {} : { deadLetterTtl }) });
    this.#resultTtl = resultTtl ?? 86_400_000;
    this.#broker.checkInboxIdsWith((id) => this.#backend.getNow(id) !== null);
    // The broker's own copy of each message it stores (never changed): kept with the record for viewTask and retryTask.
    this.#broker.keepMessagesWith((message) => this.#backend.rememberNow(message));
  }

  async enqueue(messages: readonly TaskMessage[]): Promise<ApplyResult[]> {
    const backend = this.#backend;
    const create = (m: TaskMessage) => backend.applyNow({ id: m.id, task: m.task, state: TaskStates.PENDING, attempt: m.attempt, create: true });
    if (messages.length === 1) {
      // One message: the creation itself is the check, and a refusal leaves nothing to undo.
      const result = create(messages[0] as TaskMessage);
      if (result.applied) this.#broker.publishNow(messages);
      return [result];
    }
    if (this.#anyTaken(messages)) return messages.map((m): ApplyResult => ({ applied: false, current: backend.getNow(m.id) }));
    const results = messages.map(create);
    this.#broker.publishNow(messages);
    return results;
  }

  async publish(messages: readonly TaskMessage[]): Promise<void> {
    this.#broker.publishNow(messages);
  }

  async reserve(request: ReserveRequest): Promise<StartedDelivery[]> {
    const backend = this.#backend;
    const worker = request.worker;
    // Started as the reserve returns. A revoke in between stored REVOKED, and the state machine refuses STARTED.
    return (await this.#broker.reserve(request)).map(({ message, deliveries, receipt }): StartedDelivery => {
      // A message without a record (expired, forgotten, or never written) is a task waiting: PENDING first.
      if (backend.getNow(message.id) === null) backend.applyNow({ id: message.id, task: message.task, attempt: message.attempt, state: TaskStates.PENDING, create: true });
      // A literal, not a spread: one object shape for every delivery, on every task's path.
      return { message, deliveries, receipt, started: backend.applyNow({ id: message.id, task: message.task, attempt: message.attempt, state: TaskStates.STARTED, worker }) };
    });
  }

  async settle(delivery: Delivery, update: StateUpdate, next?: TaskMessage): Promise<ApplyResult> {
    if (!this.#broker.holdsNow(delivery)) return this.#leaseLost(update);
    const stored = this.#backend.applyNow(update);
    if (next !== undefined && stored.applied) this.#broker.requeueNow(delivery, next);
    else this.#broker.ackNow(delivery);
    return stored;
  }

  async ack(delivery: Delivery): Promise<void> {
    this.#broker.ackNow(delivery);
  }

  deadLetter(delivery: Delivery, reason: string): Promise<void> {
    return this.#broker.deadLetter(delivery, reason);
  }

  async apply(update: StateUpdate, delivery?: Delivery): Promise<ApplyResult> {
    if (delivery !== undefined && !this.#broker.holdsNow(delivery)) return this.#leaseLost(update);
    return this.#backend.applyNow(update);
  }

  /** A write for a delivery no longer held (settled, handed back): refused, nothing changed. */
  #leaseLost(update: StateUpdate): ApplyResult {
    return { applied: false, current: this.#backend.getNow(update.id), leaseLost: true };
  }

  async get(id: string): Promise<TaskRecord | null> {
    return this.#backend.getNow(id);
  }

  forget(id: string): Promise<void> {
    return this.#backend.forget(id);
  }

  subscribe(id: string, listener: RecordListener): Promise<() => void> {
    return this.#backend.subscribe(id, listener);
  }

  async revoke(taskId: string): Promise<TaskMessage | null> {
    // One step (no await): a message carrying a workflow is kept only under a terminal record.
    const record = this.#backend.getNow(taskId);
    return this.#broker.revokeNow(taskId, record !== null && isTerminal(record.state));
  }

  isRevoked(taskId: string): Promise<boolean> {
    return this.#broker.isRevoked(taskId);
  }

  onRevoke(listener: RevokeListener): Promise<() => void> {
    return this.#broker.onRevoke(listener);
  }

  deadLetters(limit?: number, offset?: number): Promise<DeadLetter[]> {
    return this.#broker.deadLetters(limit, offset);
  }

  async retryDeadLetter(id: string): Promise<boolean> {
    // One step (no await): the record reopens and the message goes back together.
    const message = this.#broker.deadMessage(id);
    if (message === undefined) return this.#broker.retryDeadLetterNow(id);
    const reopened = this.#backend.reopenNow(id);
    return this.#broker.retryDeadLetterNow(id, reopened.applied ? reopened.record.attempt : undefined);
  }

  purgeDeadLetters(ids?: readonly string[]): Promise<number> {
    return this.#broker.purgeDeadLetters(ids);
  }

  async publishOnce(key: string, messages: readonly TaskMessage[]): Promise<boolean> {
    const now = Date.now();
    const until = this.#once.get(key);
    if (until !== undefined && until > now) return false;
    // Keys expire in the order they were set (one TTL for all): sweep from the front.
    for (const [old, expiresAt] of this.#once) {
      if (expiresAt > now) break;
      this.#once.delete(old);
    }
    this.#once.delete(key);
    this.#once.set(key, now + this.#resultTtl);
    this.#broker.publishNow(messages);
    return true;
  }

  completeGroupMember(groupId: string, memberId: string, size: number): Promise<boolean> {
    return this.#backend.completeGroupMember(groupId, memberId, size);
  }

  compareAndSet(key: string, expected: string | null, value: string, ttlMs?: number): Promise<boolean> {
    return this.#backend.compareAndSet(key, expected, value, ttlMs);
  }

  getValue(key: string): Promise<string | null> {
    return this.#backend.getValue(key);
  }

  size(queue: string): Promise<number> {
    return this.#broker.size(queue);
  }

  /**
   * Puts a raw string on a queue, as a foreign producer could. For tests of malformed messages:
   * the next reserve on that queue dead-letters it with the reason.
   */
  injectRaw(queue: string, raw: string): void {
    this.#broker.injectRaw(queue, raw);
  }

  async close(): Promise<void> {
    await Promise.all([this.#broker.close(), this.#backend.close()]);
  }

  // 8. Workers and events: the backend's.

  heartbeatWorker(info: WorkerInfo, ttlMs: number): Promise<void> {
    return this.#backend.heartbeatWorker(info, ttlMs);
  }

  removeWorker(id: string): Promise<void> {
    return this.#backend.removeWorker(id);
  }

  workers(): Promise<WorkerInfo[]> {
    return this.#backend.workers();
  }

  broadcast(message: string): Promise<void> {
    return this.#backend.broadcast(message);
  }

  onBroadcast(listener: BroadcastListener): Promise<() => void> {
    return this.#backend.onBroadcast(listener);
  }

  appendEvents(events: readonly string[]): Promise<void> {
    return this.#backend.appendEvents(events);
  }

  recentEvents(limit: number): Promise<string[]> {
    return this.#backend.recentEvents(limit);
  }

  followEvents(listener: EventsListener, since?: number): Promise<() => void> {
    return this.#backend.followEvents(listener, since);
  }

  onConnectionChange(listener: ConnectionListener): () => void {
    return this.#backend.onConnectionChange(listener);
  }

  // 9. Queues (the broker's) and task listing (the backend's)

  queues(): Promise<QueueInfo[]> {
    return this.#broker.queues();
  }

  pauseQueue(queue: string, paused: boolean): Promise<void> {
    return this.#broker.pauseQueue(queue, paused);
  }

  async purgeQueue(queue: string, max = 1_000): Promise<TaskMessage[]> {
    // One step (no await): the messages go and their records say REVOKED together.
    const removed = this.#broker.purgeQueueNow(queue, max);
    for (const m of removed) this.#backend.applyNow({ id: m.id, task: m.task, state: TaskStates.REVOKED, meta: { reason: PURGED_REASON } });
    return removed;
  }

  taskCounts(): Promise<Record<TaskState, number>> {
    return this.#backend.taskCounts();
  }

  listTasks(query: TaskQuery): Promise<TaskRecord[]> {
    return this.#backend.listTasks(query);
  }

  viewTask(id: string): Promise<TaskView | null> {
    return this.#backend.viewTask(id);
  }

  async retryTask(id: string): Promise<boolean> {
    // One step (no await): the record reopens and the message goes back together.
    const message = this.#backend.messageNow(id);
    if (message === undefined || this.#backend.getNow(id)?.state !== TaskStates.FAILURE) return false;
    const reopened = this.#backend.reopenNow(id, RETRIED_REASON);
    if (!reopened.applied) return false;
    this.#broker.publishNow([retriedMessage(message, reopened.record.attempt)]);
    return true;
  }

  /** Whether any id has a record already, or appears twice. */
  #anyTaken(messages: readonly TaskMessage[]): boolean {
    const ids = new Set<string>();
    for (const { id } of messages) {
      if (ids.has(id) || this.#backend.getNow(id) !== null) return true;
      ids.add(id);
    }
    return false;
  }
}
