import { type ApplyResult, type RecordListener, type ResultBackend, type StateUpdate, canApply } from '@celeriac/core/adapter';
import { type TaskRecord, TaskStates } from '@celeriac/core';
import { parsePythonJson } from '../protocol/python-json.js';
import { toCeleryMeta } from '../protocol/result-meta.js';
import { Connections } from './connection.js';
import { CeleryKeys } from './keys.js';
import { type CeleryRedisOptions, type ResolvedCeleryRedisOptions, resolveOptions } from './options.js';
import { ForeignSeq } from './foreign-seq.js';
import { Scripts } from './scripts.js';

/** Retries of a compare-and-set write that lost to a concurrent one (each retry re-reads). */
const MAX_ATTEMPTS = 100;

/**
 * A Celeriac `ResultBackend` that is Celery's Redis result backend: a task's record is the JSON
 * meta under `celery-task-meta-<id>` (status, result, traceback, children, date_done, task_id,
 * the extended name and retries), published on that channel with every change, so Python's
 * `AsyncResult` reads and follows what Celeriac writes, and Celeriac reads what Celery workers
 * write. Each write checks the state machine against what it read and stores only if the key
 * still holds that (compare and set in one script), so a write is atomic per id.
 *
 * `seq`: Celeriac's writes store it (in the meta's `celeriac` key). Celery's writes carry none; a
 * reader numbers them in the order it sees them (see ForeignSeq), and a Celeriac write after one
 * takes the current time in ms, above any such number.
 */
export class CeleryRedisBackend implements ResultBackend {
  readonly #options: ResolvedCeleryRedisOptions;
  readonly #conn: Connections;
  readonly #keys: CeleryKeys;
  readonly #scripts: Scripts;
  readonly #seq = new ForeignSeq();
  readonly #listeners = new Map<string, Set<RecordListener>>();
  #subscriber: ReturnType<Connections['subscriber']> | undefined;

  constructor(options: CeleryRedisOptions) {
    this.#options = resolveOptions('new CeleryRedisBackend()', options);
    this.#conn = new Connections(this.#options.connection);
    this.#keys = new CeleryKeys(this.#options.keyPrefix);
    this.#scripts = new Scripts(this.#conn.command);
  }

  async apply(update: StateUpdate): Promise<ApplyResult> {
    const key = this.#keys.meta(update.id);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const raw = await this.#conn.command.get(key);
      const current = raw === null ? null : this.#decode(update.id, raw);
      const next = nextRecord(current, raw !== null && !this.#seq.isOwn(raw), update);
      if (next === null) return { applied: false, current };
      const written = JSON.stringify(toCeleryMeta(next));
      const stored = await this.#scripts.run('setMeta', [key], [raw === null ? '0' : '1', raw ?? '', written, this.#options.resultTtl]);
      if (stored === 1) {
        this.#seq.remember(update.id, written, next);
        return { applied: true, record: next };
      }
    }
    throw new Error(`apply(${update.id}): the record kept changing under ${MAX_ATTEMPTS} attempts`);
  }

  async get(id: string): Promise<TaskRecord | null> {
    const raw = await this.#conn.command.get(this.#keys.meta(id));
    return raw === null ? null : this.#decode(id, raw);
  }

  async forget(id: string): Promise<void> {
    await this.#conn.command.del(this.#keys.meta(id));
    this.#seq.forget(id);
  }

  async subscribe(id: string, listener: RecordListener): Promise<() => void> {
    const channel = this.#keys.meta(id);
    let listeners = this.#listeners.get(channel);
    if (listeners === undefined) {
      listeners = new Set();
      this.#listeners.set(channel, listeners);
    }
    listeners.add(listener);
    if (listeners.size === 1) await this.#subscriberConnection().subscribe(channel);
    const set = listeners;
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(channel) === set) {
        this.#listeners.delete(channel);
        void this.#subscriber?.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  #subscriberConnection() {
    if (this.#subscriber === undefined) {
      const subscriber = this.#conn.subscriber();
      const prefix = this.#keys.meta('');
      subscriber.on('message', (channel: string, raw: string) => {
        const listeners = this.#listeners.get(channel);
        if (listeners === undefined) return;
        let record: TaskRecord;
        try {
          record = this.#decode(channel.slice(prefix.length), raw);
        } catch {
          return; // not a result meta: events are hints, get() is the truth
        }
        for (const listener of listeners) listener(record);
      });
      this.#subscriber = subscriber;
    }
    return this.#subscriber;
  }

  #decode(id: string, raw: string): TaskRecord {
    return this.#seq.number(id, raw, parsePythonJson(raw));
  }

  async completeGroupMember(groupId: string, memberId: string, size: number): Promise<boolean> {
    const key = this.#keys.group(groupId);
    const replies = await this.#conn.command.multi().sadd(key, memberId).scard(key).pexpire(key, this.#options.resultTtl).exec();
    return Number(replies?.[1]?.[1]) >= size;
  }

  async reopen(id: string): Promise<ApplyResult> {
    const current = await this.get(id);
    if (current?.state !== TaskStates.FAILURE) return { applied: false, current };
    const key = this.#keys.meta(id);
    const raw = await this.#conn.command.get(key);
    if (raw === null) return { applied: false, current: null };
    const now = this.#decode(id, raw);
    if (now.state !== TaskStates.FAILURE) return this.reopen(id);
    const record: TaskRecord = { id, task: now.task, state: TaskStates.PENDING, seq: now.seq + 1, attempt: now.attempt + 1, updatedAt: Date.now() };
    const stored = await this.#scripts.run('setMeta', [key], ['1', raw, JSON.stringify(toCeleryMeta(record)), this.#options.resultTtl]);
    return stored === 1 ? { applied: true, record } : this.reopen(id);
  }

  async compareAndSet(key: string, expected: string | null, value: string, ttlMs?: number): Promise<boolean> {
    const set = await this.#scripts.run('compareAndSet', [this.#keys.value(key)], [expected === null ? '0' : '1', expected ?? '', value, ttlMs ?? '']);
    return set === 1;
  }

  getValue(key: string): Promise<string | null> {
    return this.#conn.command.get(this.#keys.value(key));
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    await this.#conn.close();
  }
}

/** The record an update makes of `current`, or `null` if the state machine refuses it. */
function nextRecord(current: TaskRecord | null, foreign: boolean, update: StateUpdate): TaskRecord | null {
  if (!canApply(current === null ? null : current.state, update)) return null;
  const task = update.task ?? current?.task;
  if (task === undefined) return null;
  const now = Date.now();
  const record: TaskRecord = {
    id: update.id,
    task,
    state: update.state,
    seq: current === null ? 1 : foreign ? Math.max(current.seq + 1, now) : current.seq + 1,
    attempt: update.attempt ?? current?.attempt ?? 1,
    updatedAt: now,
  };
  if (update.meta !== undefined) record.meta = update.meta;
  if (update.result !== undefined) record.result = update.result;
  if (update.error !== undefined) record.error = update.error;
  return record;
}
