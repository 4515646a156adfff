import { type TaskMessage, type TaskQuery, type TaskView, type TimelineEntry, decodeTaskMessage, encodeTaskMessage } from '@celeriac/core/adapter';
import { BUILTIN_STATES, type TaskRecord, type TaskState, isTerminal, isUserState } from '@celeriac/core';
import type { Redis } from 'ioredis';
import type { CeleryKeys } from './keys.js';
import type { ResolvedCeleryRedisOptions } from './options.js';

/** A timeline keeps at most this many changes: the first, and the latest ones. */
const TIMELINE_LIMIT = 50;
/** Ids read per step while a listing pages through a state's index. */
const PAGE = 200;

/** The keys and arguments of `setMeta.lua` for a write of `next` over `current`. */
export function setMetaCall(keys: CeleryKeys, options: ResolvedCeleryRedisOptions, current: TaskRecord | null, next: TaskRecord, read: string | null, written: string): { keys: string[]; argv: (string | number)[] } {
  const entry: TimelineEntry = { state: next.state, at: next.updatedAt, attempt: next.attempt };
  if (next.worker !== undefined) entry.worker = next.worker;
  // A repeated state (PROGRESS after PROGRESS) replaces the last entry; STARTED is a new run each time.
  const replace = current !== null && current.state === next.state && next.state !== 'STARTED';
  return {
    keys: [keys.meta(next.id), keys.tasksIn((current ?? next).state), keys.tasksIn(next.state), keys.timeline(next.id), keys.userStates],
    argv: [
      read === null ? '0' : '1',
      read ?? '',
      written,
      options.resultTtl,
      next.id,
      next.updatedAt,
      replace ? 'replace' : 'push',
      JSON.stringify(entry),
      TIMELINE_LIMIT,
      isTerminal(next.state) ? '1' : '0',
      options.taskListLimit,
      options.taskListTtl,
      isUserState(next.state) ? next.state : '',
    ],
  };
}

/**
 * TaskStore section 9's records half on Celery's result backend. Celery keeps no index of its
 * results, so Celeriac keeps its own under `celeriac.*`, written in the same step as each record
 * (`setMeta.lua`): per state a zset of ids. Records a Python worker writes are not filed there:
 * a listing that meets an id whose record moved on (or expired) files it again where it is now,
 * so `listTasks` never shows a record in a state it has left, while `taskCounts` counts such an id
 * under its last state filed until a listing of that state meets it. Tasks sent and run by Python
 * alone are never listed.
 */
export class CeleryTaskListing {
  constructor(
    private readonly redis: Redis,
    private readonly keys: CeleryKeys,
    private readonly options: ResolvedCeleryRedisOptions,
    private readonly read: (id: string, raw: string) => TaskRecord,
  ) {}

  async remember(messages: readonly TaskMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const m of messages) pipeline.set(this.keys.message(m.id), encodeTaskMessage(m), 'PX', this.options.resultTtl);
    const failed = ((await pipeline.exec()) ?? []).find(([error]) => error !== null);
    if (failed !== undefined) throw failed[0];
  }

  async message(id: string): Promise<TaskMessage | null> {
    const raw = await this.redis.get(this.keys.message(id));
    return raw === null ? null : decodeTaskMessage(raw);
  }

  async taskCounts(): Promise<Record<TaskState, number>> {
    const userStates = await this.redis.smembers(this.keys.userStates);
    const states: TaskState[] = [...BUILTIN_STATES, ...userStates];
    const pipeline = this.redis.pipeline();
    for (const state of states) {
      this.#trim(pipeline, state);
      pipeline.zcard(this.keys.tasksIn(state));
    }
    const replies = (await pipeline.exec()) ?? [];
    const counts = {} as Record<TaskState, number>;
    states.forEach((state, i) => {
      const count = Number(replies[i * 2 + 1]?.[1] ?? 0);
      if (count > 0 || !isUserState(state)) counts[state] = count;
    });
    return counts;
  }

  async listTasks(query: TaskQuery): Promise<TaskRecord[]> {
    const key = this.keys.tasksIn(query.state);
    const trim = this.redis.pipeline();
    this.#trim(trim, query.state);
    await trim.exec();
    const out: TaskRecord[] = [];
    const moved: TaskRecord[] = [];
    const gone: string[] = [];
    let skip = query.offset;
    for (let start = 0; out.length < query.limit; start += PAGE) {
      const ids = await this.redis.zrevrange(key, start, start + PAGE - 1);
      if (ids.length === 0) break;
      const [raws, queues] = await Promise.all([this.redis.mget(...ids.map((id) => this.keys.meta(id))), this.#queuesOf(query.queue === undefined ? [] : ids)]);
      ids.forEach((id, i) => {
        const raw = raws[i];
        if (raw === null || raw === undefined) return void gone.push(id);
        const record = this.read(id, raw);
        if (record.state !== query.state) return void moved.push(record);
        if (out.length >= query.limit || (query.task !== undefined && record.task !== query.task)) return;
        if (query.queue !== undefined && queues[i] !== query.queue) return;
        if (skip > 0) skip--;
        else out.push(record);
      });
      if (ids.length < PAGE) break;
    }
    if (gone.length + moved.length > 0) await this.#refile(key, gone, moved);
    return out;
  }

  /** The queue each id's remembered message was sent to (undefined: no message kept). */
  async #queuesOf(ids: readonly string[]): Promise<(string | undefined)[]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(...ids.map((id) => this.keys.message(id)));
    return raws.map((raw) => {
      try {
        return raw === null ? undefined : decodeTaskMessage(raw).queue;
      } catch {
        return undefined; // a message no longer readable names no queue
      }
    });
  }

  /** Ids whose record expired leave the index; those a Python worker moved on are filed under their state now. */
  async #refile(key: string, gone: readonly string[], moved: readonly TaskRecord[]): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const id of gone) pipeline.zrem(key, id);
    for (const record of moved) pipeline.zrem(key, record.id).zadd(this.keys.tasksIn(record.state), record.updatedAt, record.id);
    await pipeline.exec();
  }

  async viewTask(record: TaskRecord | null): Promise<TaskView | null> {
    if (record === null) return null;
    const [message, entries] = await Promise.all([this.message(record.id), this.redis.lrange(this.keys.timeline(record.id), 0, -1)]);
    const timeline = entries.map((e) => JSON.parse(e) as TimelineEntry);
    const last = timeline[timeline.length - 1];
    // Written since by Celery (a Python worker ran it): its state now ends the timeline.
    if (last === undefined || last.state !== record.state || last.attempt !== record.attempt) {
      const entry: TimelineEntry = { state: record.state, at: record.updatedAt, attempt: record.attempt };
      if (record.worker !== undefined) entry.worker = record.worker;
      timeline.push(entry);
    }
    return { ...record, args: message?.args ?? null, queue: message?.queue ?? null, timeline };
  }

  /** The Celeriac keys of a record being forgotten. */
  forget(pipeline: ReturnType<Redis['multi']>, id: string, state: TaskState | undefined): void {
    pipeline.del(this.keys.message(id), this.keys.timeline(id));
    if (state !== undefined) pipeline.zrem(this.keys.tasksIn(state), id);
  }

  /** Finished states drop what is older than the lists' age; live ones what outlived its record. */
  #trim(pipeline: ReturnType<Redis['pipeline']>, state: TaskState): void {
    const age = isTerminal(state) ? this.options.taskListTtl : this.options.resultTtl;
    pipeline.zremrangebyscore(this.keys.tasksIn(state), '-inf', Date.now() - age);
  }
}
