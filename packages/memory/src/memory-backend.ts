import {
  type ApplyResult,
  type RecordListener,
  type ResultBackend,
  type StateUpdate,
  type TaskListRetention,
  type TaskMessage,
  type TaskQuery,
  type TaskView,
  canApply,
} from '@celeriac/core/adapter';
import { type TaskRecord, type TaskState, isTerminal } from '@celeriac/core';
import { ExpiryQueue } from './internal/expiry-queue.js';
import { MemoryWorkersAndEvents } from './internal/workers-and-events.js';
import { TaskIndex } from './internal/task-index.js';
import { type History, addToHistory, viewOf } from './internal/task-view.js';
import { copyMessage } from './internal/inbox.js';
import { copyJson, notify } from './internal/record-listeners.js';

export interface MemoryBackendOptions extends TaskListRetention {
  /** How long a finished task's record is kept, in ms. @defaultValue `86_400_000` (one day) */
  resultTtl?: number;
  /** How many events the queue-wide event stream keeps (the oldest go first). @defaultValue `10_000` */
  eventLimit?: number;
}

export const DEFAULT_MEMORY_BACKEND_OPTIONS = { resultTtl: 86_400_000, eventLimit: 10_000 } as const;

/**
 * One task id: its record (null before creation or after `forget`) and whoever follows it. One map
 * entry holds both, so a state change costs one lookup, and an update changes the entry in place
 * instead of writing to the map.
 */
interface Entry {
  record: TaskRecord | null;
  /** Nearly every id has one listener (its wait()): kept bare; a Set only from the second on. */
  listeners: RecordListener | Set<RecordListener> | undefined;
  /** The changes of state before the current record (see task-view.ts). */
  history: History | undefined;
  /** The message last published for the id (its arguments, queue): never changed once kept. */
  message: TaskMessage | undefined;
}

/**
 * Task states in this process's memory: the record half of `MemoryStore`, and a result backend to
 * pair with a broker through `splitStore`. Every change is checked by the state machine and
 * published to listeners. The worker registry and event stream come from `MemoryWorkersAndEvents`.
 */
export class MemoryBackend extends MemoryWorkersAndEvents implements ResultBackend {
  readonly #entries = new Map<string, Entry>();
  /** (id, time) in write order: a cheap queue to sweep from the front, checked against the record. */
  readonly #expiry = new ExpiryQueue();
  readonly #groups = new Map<string, Set<string>>();
  readonly #values = new Map<string, { value: string; expiresAt: number }>();
  readonly #resultTtl: number;
  readonly #sweeper: NodeJS.Timeout;
  readonly #index: TaskIndex;

  constructor(options: MemoryBackendOptions = {}) {
    super(options.eventLimit ?? DEFAULT_MEMORY_BACKEND_OPTIONS.eventLimit);
    const ttl = options.resultTtl ?? DEFAULT_MEMORY_BACKEND_OPTIONS.resultTtl;
    if (typeof ttl !== 'number' || !(ttl > 0)) throw new TypeError(`new MemoryBackend(): option "resultTtl" must be a positive number of ms, got ${String(ttl)}`);
    this.#resultTtl = ttl;
    this.#index = new TaskIndex(options, 'new MemoryBackend()');
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(ttl, 60_000));
    this.#sweeper.unref();
  }

  async apply(update: StateUpdate): Promise<ApplyResult> {
    return this.applyNow(update);
  }

  /**
   * `apply`, synchronously: MemoryStore calls it so that storing an outcome and settling its
   * delivery happen with no await in between.
   */
  applyNow(update: StateUpdate): ApplyResult {
    const entry = this.#entries.get(update.id);
    const current = entry === undefined ? null : entry.record;
    if (!canApply(current === null ? null : current.state, update)) return { applied: false, current };
    const task = update.task ?? current?.task;
    if (task === undefined) return { applied: false, current };
    // Built property by property, not with spreads: every record then shares a few hidden classes,
    // which keeps the hot path fast (this runs three times per task).
    const record: TaskRecord = {
      id: update.id,
      task,
      state: update.state,
      seq: current === null ? 1 : current.seq + 1,
      attempt: update.attempt ?? current?.attempt ?? 1,
      updatedAt: Date.now(),
    };
    if (update.meta !== undefined) record.meta = copyJson(update.meta);
    if (update.result !== undefined) record.result = copyJson(update.result);
    if (update.error !== undefined) record.error = update.error;
    // The run's worker stays with its later updates; a task handed back to PENDING has none.
    const worker = update.worker ?? (current === null || update.state === 'PENDING' ? undefined : current.worker);
    if (worker !== undefined) record.worker = worker;
    Object.freeze(record);
    if (entry === undefined) this.#entries.set(record.id, { record, listeners: undefined, history: undefined, message: undefined });
    else {
      entry.record = record;
      entry.history = addToHistory(entry.history, current, record);
    }
    // Only creation and the end are queued; the sweep re-queues a record that changed since.
    if (current === null || isTerminal(record.state)) this.#expiry.push(record.id, record.updatedAt + this.#resultTtl);
    if (entry?.listeners !== undefined) notify(entry.listeners, record);
    return { applied: true, record };
  }

  async get(id: string): Promise<TaskRecord | null> {
    return this.getNow(id);
  }

  /** `get`, synchronously (for MemoryStore). */
  getNow(id: string): TaskRecord | null {
    return this.#entries.get(id)?.record ?? null;
  }

  async forget(id: string): Promise<void> {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    entry.record = null;
    entry.history = undefined;
    entry.message = undefined;
    if (entry.listeners === undefined) this.#entries.delete(id);
  }

  async subscribe(id: string, listener: RecordListener): Promise<() => void> {
    let entry = this.#entries.get(id);
    if (entry === undefined) {
      entry = { record: null, listeners: undefined, history: undefined, message: undefined };
      this.#entries.set(id, entry);
    }
    const existing = entry.listeners;
    if (existing === undefined) entry.listeners = listener;
    else if (typeof existing === 'function') entry.listeners = new Set([existing, listener]);
    else existing.add(listener);
    const followed = entry;
    return () => {
      const current = followed.listeners;
      if (current === listener) followed.listeners = undefined;
      else if (typeof current === 'object') {
        current.delete(listener);
        if (current.size === 0) followed.listeners = undefined;
      }
      // An entry made only to listen goes with its last listener.
      if (followed.listeners === undefined && followed.record === null && this.#entries.get(id) === followed) this.#entries.delete(id);
    };
  }

  async completeGroupMember(groupId: string, memberId: string, size: number): Promise<boolean> {
    let members = this.#groups.get(groupId);
    if (members === undefined) {
      members = new Set();
      this.#groups.set(groupId, members);
    }
    members.add(memberId); // a repeated report changes nothing, and still hears whether the group is complete
    return members.size >= size;
  }

  async reopen(id: string, reason?: string): Promise<ApplyResult> {
    return this.reopenNow(id, reason);
  }

  /**
   * `reopen`, synchronously (MemoryStore requeues a dead letter in the same step). Outside the
   * state machine on purpose: FAILURE is final for every run, and a requeue starts a new attempt.
   */
  reopenNow(id: string, reason = 'requeued from the dead-letter queue'): ApplyResult {
    const entry = this.#entries.get(id);
    const current = entry?.record ?? null;
    if (entry === undefined || current === null || current.state !== 'FAILURE') return { applied: false, current };
    const record: TaskRecord = {
      id,
      task: current.task,
      state: 'PENDING',
      seq: current.seq + 1,
      attempt: current.attempt + 1,
      updatedAt: Date.now(),
      meta: { reason },
    };
    Object.freeze(record);
    entry.record = record;
    entry.history = addToHistory(entry.history, current, record);
    if (entry.listeners !== undefined) notify(entry.listeners, record);
    return { applied: true, record };
  }

  async remember(messages: readonly TaskMessage[]): Promise<void> {
    for (const message of messages) this.rememberNow(copyMessage(message));
  }

  /** Keeps `message` (the caller's own copy, never changed after) with its id's record, if any. */
  rememberNow(message: TaskMessage): void {
    const entry = this.#entries.get(message.id);
    if (entry !== undefined && entry.record !== null) entry.message = message;
  }

  async message(id: string): Promise<TaskMessage | null> {
    const message = this.messageNow(id);
    return message === undefined ? null : copyMessage(message);
  }

  /** The message kept for `id` (the broker's own copy: do not change it). */
  messageNow(id: string): TaskMessage | undefined {
    return this.#entries.get(id)?.message;
  }

  async taskCounts(): Promise<Record<TaskState, number>> {
    return this.#index.counts(this.#records(), Date.now());
  }

  async listTasks(query: TaskQuery): Promise<TaskRecord[]> {
    return this.#index.page(query, this.#records(), Date.now(), (record) => this.#entries.get(record.id)?.message?.queue);
  }

  async viewTask(id: string): Promise<TaskView | null> {
    const entry = this.#entries.get(id);
    if (entry === undefined || entry.record === null) return null;
    return viewOf(entry.record, entry.history, entry.message);
  }

  async compareAndSet(key: string, expected: string | null, value: string, ttlMs?: number): Promise<boolean> {
    if (this.#readValue(key) !== expected) return false; // no await in between: check-and-set is atomic
    this.#values.set(key, { value, expiresAt: ttlMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + ttlMs });
    return true;
  }

  async getValue(key: string): Promise<string | null> {
    return this.#readValue(key);
  }

  #readValue(key: string): string | null {
    const entry = this.#values.get(key);
    if (entry === undefined) return null;
    if (entry.expiresAt <= Date.now()) {
      this.#values.delete(key);
      return null;
    }
    return entry.value;
  }

  async close(): Promise<void> {
    this.closeWorkersAndEvents();
    clearInterval(this.#sweeper);
    for (const entry of this.#entries.values()) entry.listeners = undefined;
  }

  *#records(): Iterable<TaskRecord> {
    for (const entry of this.#entries.values()) if (entry.record !== null) yield entry.record;
  }

  #sweep(): void {
    const now = Date.now();
    for (let at = this.#expiry.nextAt(); at <= now; at = this.#expiry.nextAt()) {
      const id = this.#expiry.shift();
      const entry = this.#entries.get(id);
      if (entry === undefined || entry.record === null) continue;
      const due = entry.record.updatedAt + this.#resultTtl;
      if (due > now) {
        this.#expiry.push(id, due);
        continue;
      }
      if (entry.listeners === undefined) this.#entries.delete(id);
      else {
        // someone still follows the id: keep the entry, drop the record
        entry.record = null;
        entry.history = undefined;
        entry.message = undefined;
      }
    }
  }
}
