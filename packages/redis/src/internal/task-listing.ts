import { type TaskMessage, type TaskQuery, type TaskView, retriedMessage } from '@celeriac/core/adapter';
import { BUILTIN_STATES, type TaskRecord, type TaskState, TaskStates, isTerminal } from '@celeriac/core';
import { encodeStoredMessage, storedMessage, storedQueue } from './message-fields.js';
import { finishedPage } from './finished-listing.js';
import { decodeStoredRecord, splitStoredRecord } from './record-codec.js';
import type { StoreParts } from './store-parts.js';
import { decodeKept, fullTimeline, impliedRecord, readTimeline } from './task-timeline.js';

/** Messages read per step of a scan of the live tasks. */
const SCAN_STEP = 1_000;
/** The field of `{p}:body` and `{p}:meta` that is no message (see ENCODING_FIELD in lua/includes/bulk.lua). */
const ENCODING_FIELD = '\0encoding';
const FINISHED: readonly TaskState[] = [TaskStates.SUCCESS, TaskStates.FAILURE, TaskStates.REVOKED];

/**
 * The task half of the admin API on Redis. Finished tasks are read from their lists (a Redis list
 * per state, bounded by `taskListLimit` and `taskListTtl`, written by the scripts that finish
 * tasks: see lua/includes/taskLists.lua), live ones (PENDING, STARTED, RETRY, user states) from the
 * messages themselves: a scan of `{p}:meta` (a message with a field there is live) with each
 * message's record, stored or implied. A task's view reads its record, which carries the first
 * line of its timeline (its run, and its message unless the message's body was kept for it), the
 * body, and the rest of its timeline (lua/includes/timelines.lua). So a worker's settle adds one
 * list entry per task and keeps the body it would have deleted, and a listing of live tasks costs a
 * scan, off the hot path, in steps that never block Redis for long.
 * As another broker's backend (a split pair: the messages are in RabbitMQ, say), the store has no
 * messages of its own: `remember` files each task's id in `{p}:remembered`, and the live tasks are
 * read from there too, the ids whose records have finished or expired leaving it as a listing
 * meets them (and those older than `resultTtl`, as `remember` adds more).
 */
export class TaskListing {
  readonly #parts: StoreParts;

  constructor(parts: StoreParts) {
    this.#parts = parts;
  }

  async counts(): Promise<Record<TaskState, number>> {
    const counts = {} as Record<TaskState, number>;
    for (const state of BUILTIN_STATES) counts[state] = 0;
    await this.#scanLive((record) => {
      counts[record.state] = (counts[record.state] ?? 0) + 1;
    });
    const { taskListLimit } = this.#parts.options;
    const { command } = this.#parts.clients;
    await this.#trim();
    const sizes = await Promise.all(this.#lists().map((key) => command.llen(key)));
    FINISHED.forEach((state, i) => {
      counts[state] = Math.min(taskListLimit, sizes[i] ?? 0);
    });
    return counts;
  }

  async list(query: TaskQuery): Promise<TaskRecord[]> {
    if (!isTerminal(query.state)) {
      const found: TaskRecord[] = [];
      await this.#scanLive((record, raw) => {
        if (record.state !== query.state || (query.task !== undefined && record.task !== query.task)) return;
        if (query.queue === undefined || storedQueue(raw) === query.queue) found.push(record);
      });
      found.sort((a, b) => b.updatedAt - a.updatedAt);
      return found.slice(query.offset, query.offset + query.limit);
    }
    await this.#trim();
    return finishedPage(this.#parts, this.#lists()[FINISHED.indexOf(query.state)] as string, query);
  }

  async view(id: string): Promise<TaskView | null> {
    const read = await this.#read(id);
    if (read === null) return null;
    const { record, implied, raw, run, kept } = read;
    const message = decodeKept(raw ?? kept.message, id);
    return { ...record, args: message?.args ?? null, queue: message?.queue ?? null, timeline: fullTimeline(kept.entries, record, implied, raw, run) };
  }

  /** The message stored or kept for `id` (ResultBackend's `message`). */
  async message(id: string): Promise<TaskMessage | null> {
    const read = await this.#read(id);
    return decodeKept(read === null ? undefined : (read.raw ?? read.kept.message), id);
  }

  /** Keeps each message in its task's timeline, as long as its record (ResultBackend's `remember`). */
  async remember(messages: readonly TaskMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const { resultTtl } = this.#parts.options;
    const { remembered } = this.#parts.recordKeys;
    const now = Date.now();
    const batch = this.#parts.clients.command.multi();
    for (const message of messages) {
      const key = this.#parts.recordKeys.timeline(message.id);
      batch.append(key, `M${encodeStoredMessage(message)}\n`).pexpire(key, resultTtl);
    }
    batch.zadd(remembered, ...messages.flatMap((m) => [now, m.id])).zremrangebyscore(remembered, '-inf', now - resultTtl);
    await batch.exec();
  }

  /**
   * A FAILURE task run again with its kept message (retryTask-9.lua, one step); a dead letter's goes
   * back from the dead-letter queue (retryDeadLetter, which reopens its record the same way).
   */
  async retry(id: string): Promise<boolean> {
    const { command } = this.#parts.clients;
    const [read, dead] = await Promise.all([this.#read(id), command.zscore(this.#parts.keys.dead, id)]);
    if (read === null || read.implied || read.record.state !== TaskStates.FAILURE) return false;
    const { record } = read;
    if (dead !== null) return this.#parts.scripts.retryDeadLetter(id);
    const message = decodeKept(read.kept.message, id);
    if (message === null) return false;
    return this.#parts.scripts.retryTask(record.seq, storedMessage(retriedMessage(message, record.attempt + 1)));
  }

  /**
   * One task's record (stored, or implied by its live message), its message (live, or kept for its
   * finished record) and run, and its kept timeline, read at once.
   */
  async #read(id: string) {
    const { command } = this.#parts.clients;
    const replies = await command
      .multi()
      .get(this.#parts.recordKeys.record(id))
      .hget(this.#parts.keys.body, id)
      .hget(this.#parts.keys.run, id)
      .get(this.#parts.recordKeys.timeline(id))
      .hexists(this.#parts.keys.meta, id)
      .exec();
    const [stored, raw, run, rest, live] = (replies ?? []).map(([error, value]) => {
      if (error !== null) throw error;
      return value;
    }) as [string | null, string | null, string | null, string | null, number];
    if (stored !== null) {
      // The record carries its timeline's first line (see lua/includes/timelines.lua); a settle's names no message, its body being kept.
      const { json, carried } = splitStoredRecord(stored);
      return { record: JSON.parse(json) as TaskRecord, implied: false, raw, run, kept: readTimeline(carried, rest, raw) };
    }
    // A body alone (no meta field) was kept for a record that is gone: it implies nothing.
    const record = raw === null || live === 0 ? null : impliedRecord(id, raw, run);
    return record === null ? null : { record, implied: true, raw, run, kept: readTimeline(null, rest, null) };
  }

  /** Calls `found` with the record and stored message of every live message (not dead-lettered, not finished), in steps of SCAN_STEP. */
  async #scanLive(found: (record: TaskRecord, raw: string) => void): Promise<void> {
    await this.#parts.clients.ready();
    const { command } = this.#parts.clients;
    const k = this.#parts.keys;
    const seen = new Set<string>();
    let cursor = '0';
    do {
      // A message is live while it has a meta field (its body alone may be a finished task's, kept).
      const [next, flat] = await command.hscan(k.meta, cursor, 'COUNT', SCAN_STEP);
      cursor = next;
      const ids: string[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const id = flat[i] as string;
        // HSCAN may return an entry twice; the encoding field is no message.
        if (seen.has(id) || id === ENCODING_FIELD) continue;
        seen.add(id);
        ids.push(id);
      }
      if (ids.length === 0) continue;
      const [raws, runs, stored, dead] = await Promise.all([
        command.hmget(k.body, ...ids),
        command.hmget(k.run, ...ids),
        command.mget(ids.map((id) => this.#parts.recordKeys.record(id))),
        command.zmscore(k.dead, ...ids),
      ]);
      ids.forEach((id, j) => {
        const raw = raws[j];
        if (dead[j] !== null || raw === null || raw === undefined) return;
        const value = stored[j];
        const record = value !== null && value !== undefined ? decodeStoredRecord(value) : impliedRecord(id, raw, runs[j] ?? null);
        // A finished record over a message not yet acknowledged is listed as finished.
        if (record !== null && !isTerminal(record.state)) found(record, raw);
      });
    } while (cursor !== '0');
    await this.#scanRemembered(seen, found);
  }

  /** The live records of the tasks another broker holds (`{p}:remembered`); ids finished or gone leave it. */
  async #scanRemembered(seen: Set<string>, found: (record: TaskRecord, raw: string) => void): Promise<void> {
    const { command } = this.#parts.clients;
    const { remembered } = this.#parts.recordKeys;
    let cursor = '0';
    do {
      const [next, flat] = await command.zscan(remembered, cursor, 'COUNT', SCAN_STEP);
      cursor = next;
      const ids = flat.filter((id, i) => i % 2 === 0 && !seen.has(id));
      if (ids.length === 0) continue;
      for (const id of ids) seen.add(id);
      // The message is the timeline's `M` line (see remember), for a listing by queue.
      const [stored, timelines] = await Promise.all([
        command.mget(ids.map((id) => this.#parts.recordKeys.record(id))),
        command.mget(ids.map((id) => this.#parts.recordKeys.timeline(id))),
      ]);
      const over: string[] = [];
      ids.forEach((id, j) => {
        const value = stored[j];
        const record = value === null || value === undefined ? null : decodeStoredRecord(value);
        if (record === null || isTerminal(record.state)) over.push(id);
        else found(record, readTimeline(null, timelines[j] ?? null, null).message ?? '');
      });
      if (over.length > 0) await command.zrem(remembered, ...over);
    } while (cursor !== '0');
  }

  /** Applies the lists' bounds now (trimTaskLists-5.lua: the scripts that add to them trim only every few additions, see lua/includes/taskLists.lua). */
  async #trim(): Promise<void> {
    await this.#parts.clients.ready();
    await this.#parts.scripts.trimTaskLists();
  }

  #lists(): readonly string[] {
    return this.#parts.recordKeys.taskLists;
  }
}
