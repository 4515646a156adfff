import type { TaskMessage, TimelineEntry } from '@celeriac/core/adapter';
import { decodeStoredMessage } from './message-fields.js';
import type { TaskRecord } from '@celeriac/core';

/** A timeline keeps at most this many changes: the first, and the latest ones (as on the memory store). */
export const TIMELINE_LIMIT = 50;

/** What a task's timeline key holds (see lua/includes/taskLists.lua), read: its entries and its latest message. */
export interface KeptTimeline {
  readonly entries: TimelineEntry[];
  /** The raw JSON of the last message written to it, or undefined. */
  readonly message: string | undefined;
}

const RUN_LINE = /^R(\d+)(,"worker":"(?:[^"\\]|\\.)*")?(?:\t(.*))?$/;
const STATE_LINE = /^E([^\t]*)\t(\d+)\t(\d+)(,"worker":"(?:[^"\\]|\\.)*")?$/;

/**
 * A task's timeline, oldest first, as entries (see lua/includes/timelines.lua): the line its
 * record carries, if any, then the lines of `{p}:tl:<id>` (R: implied PENDING and STARTED;
 * P: implied PENDING; E: a stored state; M: a message alone). An R or P line without its message
 * names the task's message in `{p}:body`: `body`, kept for the finished record (null once gone).
 */
export function readTimeline(first: string | null, rest: string | null, body: string | null): KeptTimeline {
  const entries: TimelineEntry[] = [];
  let message: string | undefined;
  for (const line of `${first ?? ''}\n${rest ?? ''}`.split('\n')) {
    if (line.length === 0) continue;
    const kind = line[0];
    if (kind === 'E') {
      const m = STATE_LINE.exec(line);
      if (m !== null) entries.push(entry(m[1] as string, Number(m[2]), Number(m[3]), workerOf(m[4])));
    } else if (kind === 'R') {
      const m = RUN_LINE.exec(line);
      if (m === null) continue;
      const run = m[3] ?? body ?? undefined;
      if (run === undefined) continue;
      message = run;
      entries.push(...impliedEntries(run, Number(m[1]), workerOf(m[2])));
    } else if (kind === 'P') {
      const pending = line.length > 1 ? line.slice(1) : (body ?? undefined);
      if (pending === undefined) continue;
      message = pending;
      entries.push(...impliedEntries(pending, undefined, undefined));
    } else if (kind === 'M') {
      message = line.slice(1);
    }
  }
  return { entries, message };
}

/**
 * The PENDING a stored message implies (at its createdAt) and, given its `{p}:run` start, the
 * STARTED of its run (see lua/includes/impliedRecord.lua).
 */
export function impliedEntries(raw: string, startedAt: number | undefined, worker: string | undefined): TimelineEntry[] {
  const head = messageHead(raw);
  if (head === undefined) return [];
  const out = [entry('PENDING', head.createdAt, head.attempt, undefined)];
  if (startedAt !== undefined) out.push(entry('STARTED', startedAt, head.attempt, worker));
  return out;
}

/** A `{p}:run` value (start ms, then maybe the worker fragment) as its parts. */
export function runValue(value: string): { startedAt: number; worker: string | undefined } {
  const cut = value.indexOf(',');
  return cut < 0 ? { startedAt: Number(value), worker: undefined } : { startedAt: Number(value.slice(0, cut)), worker: workerOf(value.slice(cut)) };
}

/** The PENDING or STARTED record a stored message implies (see lua/includes/impliedRecord.lua), or null if it cannot be read. */
export function impliedRecord(id: string, raw: string, run: string | null): TaskRecord | null {
  const head = messageHead(raw);
  if (head === undefined) return null;
  if (run === null) return { id, task: head.task, state: 'PENDING', seq: 1, attempt: head.attempt, updatedAt: head.createdAt };
  const { startedAt, worker } = runValue(run);
  const record: TaskRecord = { id, task: head.task, state: 'STARTED', seq: 2, attempt: head.attempt, updatedAt: startedAt };
  if (worker !== undefined) record.worker = worker;
  return record;
}

/** The whole timeline: what was kept, then the current record (or the states its message implies), repeats collapsed, bounded. */
export function fullTimeline(kept: readonly TimelineEntry[], record: TaskRecord, implied: boolean, raw: string | null, run: string | null): TimelineEntry[] {
  const current =
    implied && raw !== null
      ? impliedEntries(raw, run === null ? undefined : runValue(run).startedAt, run === null ? undefined : runValue(run).worker)
      : [entry(record.state, record.updatedAt, record.attempt, record.worker)];
  const out: TimelineEntry[] = [];
  for (const e of [...kept, ...current]) {
    const last = out.at(-1);
    // A repeated state (PROGRESS after PROGRESS) keeps its latest change; STARTED is a new run each time.
    if (last !== undefined && last.state === e.state && e.state !== 'STARTED') out[out.length - 1] = e;
    else out.push(e);
  }
  return out.length <= TIMELINE_LIMIT ? out : [out[0] as TimelineEntry, ...out.slice(out.length - TIMELINE_LIMIT + 1)];
}

/** A kept message's raw JSON as a message, or null if it no longer decodes. */
export function decodeKept(raw: string | undefined | null, id: string): TaskMessage | null {
  if (raw === undefined || raw === null) return null;
  try {
    return decodeStoredMessage(raw, id);
  } catch {
    return null;
  }
}

function messageHead(raw: string): { task: string; attempt: number; createdAt: number } | undefined {
  try {
    const m = JSON.parse(raw) as { task?: unknown; attempt?: unknown; createdAt?: unknown };
    if (typeof m.task !== 'string') return undefined;
    return { task: m.task, attempt: typeof m.attempt === 'number' ? m.attempt : 1, createdAt: typeof m.createdAt === 'number' ? m.createdAt : 0 };
  } catch {
    return undefined;
  }
}

function workerOf(fragment: string | undefined): string | undefined {
  if (fragment === undefined || fragment === '') return undefined;
  return JSON.parse(fragment.slice(',"worker":'.length)) as string;
}

function entry(state: string, at: number, attempt: number, worker: string | undefined): TimelineEntry {
  const e: TimelineEntry = { state, at, attempt };
  if (worker !== undefined) e.worker = worker;
  return e;
}
