import type { TaskMessage, TaskView, TimelineEntry } from '@celeriac/core/adapter';
import type { TaskRecord } from '@celeriac/core';
import { copyMessage } from './inbox.js';

/** A timeline keeps at most this many changes: the first, and the latest ones. */
export const TIMELINE_LIMIT = 50;

/**
 * The timeline after `record` replaced `previous`: a change of state is added, a repeated one
 * (PROGRESS after PROGRESS) replaces the last entry, except STARTED, which is a new run each time.
 */
export function addToTimeline(timeline: TaskRecord[] | undefined, previous: TaskRecord | null, record: TaskRecord): TaskRecord[] {
  if (timeline === undefined || timeline.length === 0) return [record];
  if (previous !== null && previous.state === record.state && record.state !== 'STARTED') timeline[timeline.length - 1] = record;
  else {
    timeline.push(record);
    if (timeline.length > TIMELINE_LIMIT) timeline.splice(1, 1);
  }
  return timeline;
}

export function timelineEntry(record: TaskRecord): TimelineEntry {
  const entry: TimelineEntry = { state: record.state, at: record.updatedAt, attempt: record.attempt };
  if (record.worker !== undefined) entry.worker = record.worker;
  return entry;
}

export function viewOf(record: TaskRecord, timeline: readonly TaskRecord[], message: TaskMessage | undefined): TaskView {
  const copy = message === undefined ? undefined : copyMessage(message);
  return { ...record, args: copy?.args ?? null, queue: copy?.queue ?? null, timeline: timeline.map(timelineEntry) };
}
