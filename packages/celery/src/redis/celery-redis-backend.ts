import {
  type ApplyResult,
  type BroadcastListener,
  type ConnectionListener,
  type EventsListener,
  type RecordListener,
  type ResultBackend,
  type StateUpdate,
  type TaskMessage,
  type TaskQuery,
  type TaskView,
  type WorkerInfo,
  canApply,
} from '@celeriac/core/adapter';
import { type TaskRecord, type TaskState, TaskStates, isTerminal } from '@celeriac/core';
import { parsePythonJson } from '../protocol/python-json.js';
import { toCeleryMeta } from '../protocol/result-meta.js';
import { Connections } from './connection.js';
import { CeleryKeys } from './keys.js';
import { type CeleryRedisOptions, type ResolvedCeleryRedisOptions, resolveOptions } from './options.js';
import { ForeignSeq } from './foreign-seq.js';
import { Scripts } from './scripts.js';
import { Channels } from './channels.js';
import { CeleryChords } from './celery-chords.js';
import { CeleryTaskListing, setMetaCall } from './task-listing.js';
import { RedisWorkersAndEvents, watchConnection } from '@celeriac/redis/adapter';

/** Retries of a compare-and-set write that lost to a concurrent one (each retry re-reads). */
const MAX_ATTEMPTS = 100;

/**
 * A Celeriac `ResultBackend` that is Celery's Redis result backend: a task's record is the JSON
 * meta under `celery-task-meta-<id>` (status, result, traceback, children, date_done, task_id,
 * the extended name, retries and worker, and args, kwargs and queue when a write is made for a
 * delivery of the task's message), published on that channel with every change, so Python's
 * `AsyncResult` reads and follows what Celeriac writes, and Celeriac reads what Celery workers
 * write. Each write checks the state machine against what it read and stores only if the key
 * still holds that (compare and set in one script), so a write is atomic per id.
 *
 * `seq`: Celeriac's writes store it (in the meta's `celeriac` key). Celery's writes carry none; a
 * reader numbers them in the order it sees them (see ForeignSeq), and a Celeriac write after one
 * takes the current time in ms, above any such number.
 *
 * What Celery has no place for (worker heartbeats, the event stream, broadcasts, the task lists
 * and timelines of the admin API) lives under `celeriac.*` keys (see RedisWorkersAndEvents from @celeriac/redis,
 * CeleryTaskListing).
 */
export class CeleryRedisBackend implements ResultBackend {
  readonly #options: ResolvedCeleryRedisOptions;
  readonly #conn: Connections;
  readonly #keys: CeleryKeys;
  readonly #scripts: Scripts;
  readonly #seq = new ForeignSeq();
  readonly #channels: Channels;
  readonly #operations: RedisWorkersAndEvents;
  readonly #listing: CeleryTaskListing;
  readonly #chords: CeleryChords;

  constructor(options: CeleryRedisOptions) {
    this.#options = resolveOptions('new CeleryRedisBackend()', options);
    this.#conn = new Connections(this.#options.connection);
    this.#keys = new CeleryKeys(this.#options.keyPrefix);
    this.#scripts = new Scripts(this.#conn.command);
    this.#channels = new Channels(this.#conn);
    const command = this.#conn.command;
    this.#operations = new RedisWorkersAndEvents({ command: async () => command, listen: (c, h) => this.#channels.listen(c, h), onResync: (hook) => this.#channels.onResync(hook) }, this.#keys.workersAndEvents(), this.#options.eventLimit);
    this.#chords = new CeleryChords(command, this.#keys, this.#scripts, this.#options, (update) => this.apply(update), (key) => this.compareAndSet(key, null, 'done', this.#options.resultTtl));
    this.#listing = new CeleryTaskListing(this.#conn.command, this.#keys, this.#options, (id, raw) => this.#decode(id, raw));
  }

  async apply(update: StateUpdate): Promise<ApplyResult> {
    const key = this.#keys.meta(update.id);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const raw = await this.#conn.command.get(key);
      const current = raw === null ? null : this.#decode(update.id, raw);
      const next = nextRecord(current, raw !== null && !this.#seq.isOwn(raw), update);
      if (next === null) return { applied: false, current };
      const message = update.message?.id === update.id ? update.message : undefined;
      const written = JSON.stringify(toCeleryMeta(next, message));
      const call = setMetaCall(this.#keys, this.#options, current, next, raw, written);
      const stored = await this.#scripts.run('setMeta', call.keys, call.argv);
      if (stored === 1) {
        this.#seq.remember(update.id, written, next);
        // A Celery chord member's count, after its result as Celery's backend does (mark_as_done).
        if (message !== undefined && isTerminal(next.state)) await this.#chords.partReturn(next, message);
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
    const current = await this.get(id).catch(() => null);
    const pipeline = this.#conn.command.multi().del(this.#keys.meta(id));
    this.#listing.forget(pipeline, id, current?.state);
    await pipeline.exec();
    this.#seq.forget(id);
  }

  subscribe(id: string, listener: RecordListener): Promise<() => void> {
    return this.#channels.listen(this.#keys.meta(id), (raw) => {
      let record: TaskRecord;
      try {
        record = this.#decode(id, raw);
      } catch {
        return; // not a result meta: events are a hint, get() is the truth
      }
      listener(record);
    });
  }

  #decode(id: string, raw: string): TaskRecord {
    return this.#seq.number(id, raw, parsePythonJson(raw));
  }

  async completeGroupMember(groupId: string, memberId: string, size: number): Promise<boolean> {
    const key = this.#keys.group(groupId);
    const replies = await this.#conn.command.multi().sadd(key, memberId).scard(key).pexpire(key, this.#options.resultTtl).exec();
    return Number(replies?.[1]?.[1]) >= size;
  }

  async reopen(id: string, reason = 'requeued from the dead-letter queue'): Promise<ApplyResult> {
    const current = await this.get(id);
    if (current?.state !== TaskStates.FAILURE) return { applied: false, current };
    const key = this.#keys.meta(id);
    const raw = await this.#conn.command.get(key);
    if (raw === null) return { applied: false, current: null };
    const now = this.#decode(id, raw);
    if (now.state !== TaskStates.FAILURE) return this.reopen(id, reason);
    const record: TaskRecord = { id, task: now.task, state: TaskStates.PENDING, seq: now.seq + 1, attempt: now.attempt + 1, updatedAt: Date.now(), meta: { reason } };
    const written = JSON.stringify(toCeleryMeta(record));
    const call = setMetaCall(this.#keys, this.#options, now, record, raw, written);
    if ((await this.#scripts.run('setMeta', call.keys, call.argv)) !== 1) return this.reopen(id, reason);
    this.#seq.remember(id, written, record);
    return { applied: true, record };
  }

  async compareAndSet(key: string, expected: string | null, value: string, ttlMs?: number): Promise<boolean> {
    const set = await this.#scripts.run('compareAndSet', [this.#keys.value(key)], [expected === null ? '0' : '1', expected ?? '', value, ttlMs ?? '']);
    return set === 1;
  }

  getValue(key: string): Promise<string | null> {
    return this.#conn.command.get(this.#keys.value(key));
  }

  async close(): Promise<void> {
    await this.#conn.close();
  }

  // Workers and events (TaskStore section 8): see RedisWorkersAndEvents from @celeriac/redis.

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

  onConnectionChange(listener: ConnectionListener): () => void {
    return watchConnection(this.#conn.command, listener);
  }

  // Task listing (TaskStore section 9): see CeleryTaskListing.

  async remember(messages: readonly TaskMessage[]): Promise<void> {
    await this.#listing.remember(messages);
    // Before the members are published (splitStore remembers first): Celery's producer sets it then too.
    const sizes = this.#conn.command.pipeline();
    this.#chords.setSizes(sizes, messages);
    if (sizes.length > 0) await sizes.exec();
  }

  message(id: string): Promise<TaskMessage | null> {
    return this.#listing.message(id);
  }

  taskCounts(): Promise<Record<TaskState, number>> {
    return this.#listing.taskCounts();
  }

  listTasks(query: TaskQuery): Promise<TaskRecord[]> {
    return this.#listing.listTasks(query);
  }

  async viewTask(id: string): Promise<TaskView | null> {
    return this.#listing.viewTask(await this.get(id));
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
  // The run's worker stays with its later updates; a task handed back to PENDING has none.
  const worker = update.worker ?? (current === null || update.state === TaskStates.PENDING ? undefined : current.worker);
  if (worker !== undefined) record.worker = worker;
  return record;
}
