import type { TaskMessage, TaskView, TimelineEntry } from '@celeriac/core/adapter';
import type { TaskRecord, TaskState } from '@celeriac/core';
import { copyMessage } from './inbox.js';

/** A timeline keeps at most this many changes: the first, and the latest ones. */
export const TIMELINE_LIMIT = 50;

/**
 * The changes of state before a task's current record, flat: state, time, attempt, worker, then
 * the next change. The current record is always the timeline's last entry, so a task that never
 * changed keeps nothing, and earlier records are not kept alive (a few numbers per change are far
 * cheaper for the garbage collector than whole records held for the result TTL).
 */
export type History = (TaskState | number | string | undefined)[];
const FIELDS = 4;

/**
 * The history once `record` replaced `previous`: a change of state files `previous` in it; a
 * repeated one (PROGRESS after PROGRESS) only replaces the current entry, except STARTED, which is
 * a new run each time.
 */
export function addToHistory(history: History | undefined, previous: TaskRecord | null, record: TaskRecord): History | undefined {
  if (previous === null || (previous.state === record.state && record.state !== 'STARTED')) return history;
  const list = history ?? [];
  list.push(previous.state, previous.updatedAt, previous.attempt, previous.worker);
  if (list.length > (TIMELINE_LIMIT - 1) * FIELDS) list.splice(FIELDS, FIELDS);
  return list;
}

function entryOf(state: TaskState, at: number, attempt: number, worker: string | undefined): TimelineEntry {
  const entry: TimelineEntry = { state, at, attempt };
  if (worker !== undefined) entry.worker = worker;
  return entry;
}

export function viewOf(record: TaskRecord, history: History | undefined, message: TaskMessage | undefined): TaskView {
  const timeline: TimelineEntry[] = [];
  for (let i = 0; history !== undefined && i < history.length; i += FIELDS) {
    timeline.push(entryOf(history[i] as TaskState, history[i + 1] as number, history[i + 2] as number, history[i + 3] as string | undefined));
  }
  timeline.push(entryOf(record.state, record.updatedAt, record.attempt, record.worker));
  const copy = message === undefined ? undefined : copyMessage(message);
  return { ...record, args: copy?.args ?? null, queue: copy?.queue ?? null, timeline };
}
