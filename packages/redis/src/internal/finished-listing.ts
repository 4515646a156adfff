import type { TaskQuery } from '@celeriac/core/adapter';
import type { TaskRecord } from '@celeriac/core';
import { storedQueue } from './message-fields.js';
import { decodeStoredRecord, splitStoredRecord } from './record-codec.js';
import type { StoreParts } from './store-parts.js';
import { readTimeline } from './task-timeline.js';

/** List entries read per step when a filter decides which of them are listed. */
const FILTERED_STEP = 200;

/**
 * Pages of a finished list (`{p}:done:<state>`, "<ms> <id>" or "+<ms> <id>" newest first, see
 * lua/includes/taskLists.lua). Without a filter a page is one range. With a task name or a queue,
 * the list is read newest first in steps until the page is full, so `offset` and `limit` count
 * the matching tasks; a call reads each entry once, as a range read with an offset does anyway.
 *
 * The queue is read from the task's message, where it is already stored, rather than written into
 * every entry by the settle: a `+` entry's message is its kept `{p}:body` field (one compact
 * message, read before the record, so a task of another queue costs no record read); another's is
 * on the line its record carries, or in `{p}:tl:<id>` when a split store's broker holds the
 * messages. A task whose message is gone has no queue, and a queue filter leaves it out.
 */
export async function finishedPage(parts: StoreParts, key: string, query: TaskQuery): Promise<TaskRecord[]> {
  const { command } = parts.clients;
  const filtered = query.task !== undefined || query.queue !== undefined;
  const step = filtered ? Math.max(query.limit, FILTERED_STEP) : query.limit;
  const out: TaskRecord[] = [];
  let skip = filtered ? query.offset : 0;
  for (let from = filtered ? 0 : query.offset; out.length < query.limit; from += step) {
    const entries = await command.lrange(key, from, from + step - 1);
    if (entries.length === 0) break;
    const records = query.queue === undefined ? await recordsOf(parts, entries.map(idOf)) : await recordsInQueue(parts, entries, query.queue);
    for (const record of records) {
      if (record === null || out.length >= query.limit) continue; // a record expired or forgotten, or of another queue
      if (query.task !== undefined && record.task !== query.task) continue;
      if (skip > 0) skip--;
      else out.push(record);
    }
    if (entries.length < step) break;
  }
  return out;
}

/** The records of `entries` whose task was sent to `queue`, in their order (null for the others). */
async function recordsInQueue(parts: StoreParts, entries: readonly string[], queue: string): Promise<(TaskRecord | null)[]> {
  const { command } = parts.clients;
  const kept = entries.filter(bodyKept).map(idOf);
  const others = entries.filter((entry) => !bodyKept(entry)).map(idOf);
  const [bodies, stored, rests] = await Promise.all([
    kept.length === 0 ? [] : command.hmget(parts.keys.body, ...kept),
    others.length === 0 ? [] : command.mget(others.map((id) => parts.recordKeys.record(id))),
    others.length === 0 ? [] : command.mget(others.map((id) => parts.recordKeys.timeline(id))),
  ]);
  const inQueue = kept.filter((_, i) => storedQueue(bodies[i]) === queue);
  const keptRecords = new Map<string, TaskRecord | null>();
  (await recordsOf(parts, inQueue)).forEach((record, i) => keptRecords.set(inQueue[i] as string, record));
  const otherRecords = new Map<string, TaskRecord | null>();
  others.forEach((id, i) => {
    const value = stored[i];
    if (value === null || value === undefined) return;
    // The message is on the line the record carries, or in its timeline key (see task-timeline.ts).
    const { json, carried } = splitStoredRecord(value);
    if (storedQueue(readTimeline(carried, rests[i] ?? null, null).message) === queue) otherRecords.set(id, JSON.parse(json) as TaskRecord);
  });
  return entries.map((entry) => (bodyKept(entry) ? keptRecords : otherRecords).get(idOf(entry)) ?? null);
}

async function recordsOf(parts: StoreParts, ids: readonly string[]): Promise<(TaskRecord | null)[]> {
  if (ids.length === 0) return [];
  const values = await parts.clients.command.mget(ids.map((id) => parts.recordKeys.record(id)));
  return values.map((value) => (value === null ? null : decodeStoredRecord(value)));
}

function idOf(entry: string): string {
  return entry.slice(entry.indexOf(' ') + 1);
}

/** A `+` entry's task keeps its message in `{p}:body` (see lua/includes/taskLists.lua). */
function bodyKept(entry: string): boolean {
  return entry.startsWith('+');
}
