import {
  type ApplyResult,
  type RecordListener,
  type ResultBackend,
  type StateUpdate,
  type TaskRecord,
  canApply,
  isTerminal,
} from '@celeriac/core';
import { Fifo } from './internal/fifo.js';

export interface MemoryBackendOptions {
  /** How long a finished task's record is kept, in ms. @defaultValue `86_400_000` (one day) */
  resultTtl?: number;
}

export const DEFAULT_MEMORY_BACKEND_OPTIONS = { resultTtl: 86_400_000 } as const;

/** Task states in this process's memory. Every change is checked by the state machine and published to listeners. */
export class MemoryBackend implements ResultBackend {
  readonly #records = new Map<string, TaskRecord>();
  readonly #listeners = new Map<string, Set<RecordListener>>();
  /** (id, time) in write order: a cheap queue to sweep from the front, checked against the record. */
  readonly #expiry = new Fifo<{ id: string; at: number }>();
  readonly #groups = new Map<string, Set<string>>();
  readonly #values = new Map<string, { value: string; expiresAt: number }>();
  readonly #resultTtl: number;
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: MemoryBackendOptions = {}) {
    const ttl = options.resultTtl ?? DEFAULT_MEMORY_BACKEND_OPTIONS.resultTtl;
    if (typeof ttl !== 'number' || !(ttl > 0)) throw new TypeError(`new MemoryBackend(): option "resultTtl" must be a positive number of ms, got ${String(ttl)}`);
    this.#resultTtl = ttl;
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(ttl, 60_000));
    this.#sweeper.unref();
  }

  async apply(update: StateUpdate): Promise<ApplyResult> {
    const current = this.#records.get(update.id) ?? null;
    if (!canApply(current?.state ?? null, update)) return { applied: false, current };
    const task = update.task ?? current?.task;
    if (task === undefined) return { applied: false, current };
    const record: TaskRecord = {
      id: update.id,
      task,
      state: update.state,
      seq: (current?.seq ?? 0) + 1,
      attempt: update.attempt ?? current?.attempt ?? 1,
      updatedAt: Date.now(),
      ...(update.meta === undefined ? {} : { meta: copyJson(update.meta) }),
      ...(update.result === undefined ? {} : { result: copyJson(update.result) }),
      ...(update.error === undefined ? {} : { error: update.error }),
    };
    Object.freeze(record);
    this.#records.set(record.id, record);
    // Only creation and the end are queued; the sweep re-queues a record that changed since.
    if (current === null || isTerminal(record.state)) this.#expiry.push({ id: record.id, at: record.updatedAt + this.#resultTtl });
    const listeners = this.#listeners.get(record.id);
    if (listeners !== undefined) {
      for (const listener of listeners) {
        try {
          listener(record);
        } catch {
          // A listener's bug must not undo or block the state change.
        }
      }
    }
    return { applied: true, record };
  }

  async get(id: string): Promise<TaskRecord | null> {
    return this.#records.get(id) ?? null;
  }

  async forget(id: string): Promise<void> {
    this.#records.delete(id);
  }

  async subscribe(id: string, listener: RecordListener): Promise<() => void> {
    let set = this.#listeners.get(id);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(id, set);
    }
    set.add(listener);
    return () => {
      const current = this.#listeners.get(id);
      if (current === undefined) return;
      current.delete(listener);
      if (current.size === 0) this.#listeners.delete(id);
    };
  }

  async completeGroupMember(groupId: string, memberId: string, size: number): Promise<boolean> {
    let members = this.#groups.get(groupId);
    if (members === undefined) {
      members = new Set();
      this.#groups.set(groupId, members);
    }
    if (members.has(memberId)) return false;
    members.add(memberId);
    return members.size === size;
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
    clearInterval(this.#sweeper);
    this.#listeners.clear();
  }

  #sweep(): void {
    const now = Date.now();
    for (let next = this.#expiry.peek(); next !== undefined && next.at <= now; next = this.#expiry.peek()) {
      this.#expiry.shift();
      const record = this.#records.get(next.id);
      if (record === undefined) continue;
      const due = record.updatedAt + this.#resultTtl;
      if (due <= now) this.#records.delete(next.id);
      else this.#expiry.push({ id: next.id, at: due });
    }
  }
}

/** Stored values are copies, so a caller mutating its object later cannot change history. */
function copyJson<T>(value: T): T {
  return typeof value === 'object' && value !== null ? (JSON.parse(JSON.stringify(value)) as T) : value;
}
