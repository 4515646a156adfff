import type { Broker, Delivery, ReserveRequest, StartedDelivery } from '../contracts/broker.js';
import type { TaskMessage } from '../contracts/message.js';
import type { ApplyResult, StateUpdate } from '../contracts/record.js';
import type { ResultBackend } from '../contracts/result-backend.js';
import type { TaskStore } from '../contracts/task-store.js';
import type { BroadcastListener, ConnectionListener, EventsListener, WorkerInfo } from '../contracts/workers.js';
import { TaskStates, isTerminal } from '../state/states.js';
import type { TaskQuery } from '../contracts/admin.js';
import { purgeSplit, retrySplit } from './split-admin.js';

/**
 * A `TaskStore` made of a Celery-style pair: a broker where messages wait and a separate result
 * backend where records live (e.g. an AMQP broker with a key-value result backend). What the store contract
 * makes one atomic step takes two calls here, ordered so that a crash in between loses nothing:
 * - enqueue: the PENDING records first, then the publish (records removed if it fails);
 * - reserve: the messages leased, then STARTED stored for each (a crash leaves a leased message
 *   whose record says PENDING; it is delivered again when its lease ends);
 * - settle: the outcome first, then the ack or requeue (a crash redelivers a finished task, whose
 *   STARTED the state machine refuses).
 * - retryDeadLetter: the record reopened, then the letter requeued (a crash leaves a PENDING
 *   record over a letter still in the queue; a second requeue completes it);
 * - publishOnce: the key claimed (compare-and-set), the publish, then the key marked done. Racing
 *   calls lose at the claim. A claim left by a crash before its publish is taken over by a call
 *   made `ONCE_CLAIM_MS` later (a redelivered chord member), which publishes: a crash after the
 *   publish but before "done" may thus publish twice, and the second copy of a finished step is
 *   refused by the state machine. Exactly once needs the one-step `publishOnce` of a real store.
 * Fencing is a check, not a step: a write made for a delivery (settle, apply with a delivery) asks
 * `broker.holds(delivery)` first and is refused with `leaseLost` if not. A lease that ends between
 * the check and the write is not caught, so a pair fences a stalled holder only as well as its
 * broker can tell; a store that checks the lease in the writing step (Redis) has no such window.
 * The pair is closed with the store.
 */
const DEAD_LETTER_PAGE = 500;
const PURGE_PAGE = 1_000;
/** How long a publishOnce key is kept: a day, as long as finished records by default. */
const ONCE_TTL_MS = 86_400_000;
/** After this long, a publishOnce claim whose publish never finished is taken as abandoned. */
const ONCE_CLAIM_MS = 10_000;

export function splitStore(broker: Broker, backend: ResultBackend): TaskStore {
  return new SplitStore(broker, backend);
}

class SplitStore implements TaskStore {
  readonly #broker: Broker;
  readonly #backend: ResultBackend;

  constructor(broker: Broker, backend: ResultBackend) {
    this.#broker = broker;
    this.#backend = backend;
  }

  async enqueue(messages: readonly TaskMessage[]): Promise<ApplyResult[]> {
    const results = await Promise.all(messages.map((m) => this.#backend.apply({ id: m.id, task: m.task, state: TaskStates.PENDING, attempt: m.attempt, create: true })));
    const duplicate = new Set(messages.map((m) => m.id)).size < messages.length;
    if (duplicate || results.some((r) => !r.applied)) {
      await this.#forget(messages.filter((_, i) => results[i]?.applied));
      return Promise.all(messages.map(async (m): Promise<ApplyResult> => ({ applied: false, current: await this.#backend.get(m.id) })));
    }
    try {
      await this.#backend.remember(messages);
      await this.#broker.publish(messages);
    } catch (error) {
      await this.#forget(messages).catch(() => undefined); // nothing was enqueued: leave no orphan PENDING
      throw error;
    }
    return results;
  }

  async publish(messages: readonly TaskMessage[]): Promise<void> {
    await this.#backend.remember(messages);
    await this.#broker.publish(messages);
  }

  async reserve(request: ReserveRequest): Promise<StartedDelivery[]> {
    const deliveries = await this.#broker.reserve(request);
    return Promise.all(deliveries.map(async (delivery) => ({ ...delivery, started: await this.#start(delivery.message, request.worker) })));
  }

  async settle(delivery: Delivery, update: StateUpdate, next?: TaskMessage): Promise<ApplyResult> {
    const lost = await this.#leaseLost(delivery, update);
    if (lost !== undefined) return lost;
    const stored = await this.#backend.apply({ ...update, message: delivery.message });
    if (stored.applied && next !== undefined) {
      await this.#backend.remember([next]);
      await this.#broker.requeue(delivery, next);
    }
    else await this.#broker.ack(delivery);
    return stored;
  }

  ack(delivery: Delivery): Promise<void> {
    return this.#broker.ack(delivery);
  }

  deadLetter(delivery: Delivery, reason: string): Promise<void> {
    return this.#broker.deadLetter(delivery, reason);
  }

  async apply(update: StateUpdate, delivery?: Delivery): Promise<ApplyResult> {
    const lost = delivery === undefined ? undefined : await this.#leaseLost(delivery, update);
    return lost ?? this.#backend.apply(delivery === undefined ? update : { ...update, message: delivery.message });
  }

  /** The refusal of a write for a delivery that no longer holds its lease; undefined while it does. */
  async #leaseLost(delivery: Delivery, update: StateUpdate): Promise<ApplyResult | undefined> {
    if (await this.#broker.holds(delivery)) return undefined;
    return { applied: false, current: await this.#backend.get(update.id), leaseLost: true };
  }

  get(id: string) {
    return this.#backend.get(id);
  }

  forget(id: string) {
    return this.#backend.forget(id);
  }

  subscribe(...args: Parameters<ResultBackend['subscribe']>) {
    return this.#backend.subscribe(...args);
  }

  async revoke(taskId: string) {
    // The record first: a kept message is safe only once its record refuses STARTED. It stays
    // terminal (only a FAILURE is ever reopened, and a finished task is not revoked).
    const record = await this.#backend.get(taskId);
    return this.#broker.revoke(taskId, record !== null && isTerminal(record.state));
  }

  isRevoked(taskId: string) {
    return this.#broker.isRevoked(taskId);
  }

  onRevoke(...args: Parameters<Broker['onRevoke']>) {
    return this.#broker.onRevoke(...args);
  }

  deadLetters(limit?: number, offset?: number) {
    return this.#broker.deadLetters(limit, offset);
  }

  async retryDeadLetter(id: string): Promise<boolean> {
    // Reopen only a record whose letter is there: reopening one requeued by someone else would
    // leave a PENDING record with no message.
    if (!(await this.#isDeadLetter(id))) return false;
    const reopened = await this.#backend.reopen(id);
    return this.#broker.retryDeadLetter(id, reopened.applied ? reopened.record.attempt : undefined);
  }

  purgeDeadLetters(ids?: readonly string[]) {
    return this.#broker.purgeDeadLetters(ids);
  }

  async publishOnce(key: string, messages: readonly TaskMessage[]): Promise<boolean> {
    const held = await this.#backend.getValue(key);
    if (held === 'done') return false;
    const stale = held !== null && Number(held.slice('claimed:'.length)) < Date.now() - ONCE_CLAIM_MS;
    if (held !== null && !stale) return false;
    const claim = `claimed:${Date.now()}`;
    if (!(await this.#backend.compareAndSet(key, held, claim, ONCE_TTL_MS))) return false;
    await this.#broker.publish(messages);
    await this.#backend.compareAndSet(key, claim, 'done', ONCE_TTL_MS);
    return true;
  }

  completeGroupMember(...args: Parameters<ResultBackend['completeGroupMember']>) {
    return this.#backend.completeGroupMember(...args);
  }

  compareAndSet(...args: Parameters<ResultBackend['compareAndSet']>) {
    return this.#backend.compareAndSet(...args);
  }

  getValue(key: string) {
    return this.#backend.getValue(key);
  }

  size(queue: string) {
    return this.#broker.size(queue);
  }

  async close(): Promise<void> {
    await Promise.all([this.#broker.close(), this.#backend.close()]);
  }

  // 8. Workers and events: the backend's, but for the connection, which is both halves'.

  heartbeatWorker(info: WorkerInfo, ttlMs: number) {
    return this.#backend.heartbeatWorker(info, ttlMs);
  }

  removeWorker(id: string) {
    return this.#backend.removeWorker(id);
  }

  workers() {
    return this.#backend.workers();
  }

  broadcast(message: string) {
    return this.#backend.broadcast(message);
  }

  onBroadcast(listener: BroadcastListener) {
    return this.#backend.onBroadcast(listener);
  }

  appendEvents(events: readonly string[]) {
    return this.#backend.appendEvents(events);
  }

  recentEvents(limit: number) {
    return this.#backend.recentEvents(limit);
  }

  followEvents(listener: EventsListener, since?: number) {
    return this.#backend.followEvents(listener, since);
  }

  /** Disconnected while either half is; reconnected once both are back. */
  onConnectionChange(listener: ConnectionListener): () => void {
    const down = new Set<string>();
    const half = (name: string) => (change: Parameters<ConnectionListener>[0]) => {
      const before = down.size;
      if (change.connected) down.delete(name);
      else down.add(name);
      if (before === 0 && down.size > 0) listener(change);
      else if (before > 0 && down.size === 0) listener({ connected: true });
    };
    const offs = [this.#broker.onConnectionChange(half('broker')), this.#backend.onConnectionChange(half('backend'))];
    return () => offs.forEach((off) => off());
  }

  // 9. Queues (the broker's) and task listing (the backend's)

  queues() {
    return this.#broker.queues();
  }

  pauseQueue(queue: string, paused: boolean) {
    return this.#broker.pauseQueue(queue, paused);
  }

  purgeQueue(queue: string, max = PURGE_PAGE) {
    return purgeSplit(this.#broker, this.#backend, queue, max);
  }

  taskCounts() {
    return this.#backend.taskCounts();
  }

  listTasks(query: TaskQuery) {
    return this.#backend.listTasks(query);
  }

  viewTask(id: string) {
    return this.#backend.viewTask(id);
  }

  retryTask(id: string) {
    return retrySplit(this.#broker, this.#backend, id);
  }

  /** STARTED for a delivered message; one with no record (expired, forgotten, foreign) starts from PENDING. */
  async #start(message: TaskMessage, worker: string | undefined): Promise<ApplyResult> {
    const started = { id: message.id, task: message.task, attempt: message.attempt, state: TaskStates.STARTED, message, ...(worker === undefined ? {} : { worker }) };
    const first = await this.#backend.apply(started);
    if (first.applied || first.current !== null) return first;
    await this.#backend.apply({ id: message.id, task: message.task, attempt: message.attempt, state: TaskStates.PENDING, create: true });
    return this.#backend.apply(started);
  }

  /** Whether `id` is in the broker's dead-letter queue (paged: the broker lists, it does not look up). */
  async #isDeadLetter(id: string): Promise<boolean> {
    for (let offset = 0; ; offset += DEAD_LETTER_PAGE) {
      const page = await this.#broker.deadLetters(DEAD_LETTER_PAGE, offset);
      if (page.some((d) => d.id === id)) return true;
      if (page.length < DEAD_LETTER_PAGE) return false;
    }
  }

  async #forget(messages: readonly TaskMessage[]): Promise<void> {
    await Promise.all(messages.map((m) => this.#backend.forget(m.id)));
  }
}
