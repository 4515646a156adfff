import { type StateUpdate, allowedSources, allowedSourcesFor } from '@celeriac/core/adapter';
import { BUILTIN_STATES, type TaskRecord, type TaskState, isTerminal } from '@celeriac/core';
import { nextCallToken } from './call-token.js';
import { replyNumber, replyString } from './reply.js';
import type { ScriptArg } from './scripts.js';

/** Built-in states for the apply script, which treats any other stored state as a user state. */
export const BUILTIN_STATES_ARG = `,${BUILTIN_STATES.join(',')},`;

const sourcesCache = new Map<TaskState, string>();

/** Sources of a creation: only "no record" (see `StateUpdate.create`). */
export const CREATE_SOURCES_ARG = `,${allowedSourcesFor({ state: 'PENDING', create: true }).join(',')},`;

/** The sources argument of one update: its state's sources, or only "no record" for a creation. */
export function updateSourcesArg(update: Pick<StateUpdate, 'state' | 'create'>): string | undefined {
  return update.create === true ? CREATE_SOURCES_ARG : sourcesArg(update.state);
}

/**
 * The states a record may be in for `state` to be applied, as the apply script reads them
 * (",A,B," with "" for "no record"); `undefined` for a name that is no state at all.
 */
export function sourcesArg(state: TaskState): string | undefined {
  let cached = sourcesCache.get(state);
  if (cached === undefined) {
    try {
      cached = `,${allowedSources(state).join(',')},`;
    } catch {
      return undefined; // not a state name: refused like any forbidden move
    }
    if (sourcesCache.size < 1000) sourcesCache.set(state, cached);
  }
  return cached;
}


export interface PendingUpdate {
  readonly update: StateUpdate;
  readonly sources: string;
  /** The record's updatedAt when it is not the script's clock (an implied PENDING: its message's createdAt). */
  readonly at?: number;
  /** The lease member of the delivery this update is made for: applied only while it is held (fencing). */
  readonly member?: string;
}

/** The applyUpdates arguments after the record and channel prefixes and TTL (see applyUpdates-9.lua). */
export function applyArgs(batch: readonly PendingUpdate[]): ScriptArg[] {
  // Most updates of a batch share their task, state, attempt and allowed sources (a worker's
  // outcomes): each distinct combination, a shape, is sent once, and an update names its shape.
  const shapes = new Map<string, number>();
  let packed = '';
  for (const { update, sources } of batch) {
    // Newline-free fields (see includes/packedFields.lua): JSON.stringify never writes a raw newline,
    // the state is a validated name, and a sources list is state names and commas.
    const task = update.task === undefined ? '' : JSON.stringify(update.task);
    const shape = `${task}\n${update.state}\n${update.attempt ?? ''}\n${sources}`;
    let index = shapes.get(shape);
    if (index === undefined) {
      index = shapes.size + 1;
      shapes.set(shape, index);
    }
    // The worker first, right after updatedAt, where the scripts look for it (see workerFragment).
    let payload = workerFragment(update.worker);
    if (update.meta !== undefined) payload += `,"meta":${JSON.stringify(update.meta)}`;
    if (update.result !== undefined) payload += `,"result":${JSON.stringify(update.result)}`;
    if (update.error !== undefined) payload += `,"error":${JSON.stringify(update.error)}`;
    packed += `${JSON.stringify(update.id)}\n${index}\n${payload}\n`;
  }
  // A batch that only moves records to terminal states needs no kept reply (see replayedReply in
  // includes/records.lua): nothing moves a terminal record on, so its token answers a resend.
  const keepReply = batch.some(({ update }) => !isTerminal(update.state)) ? '1' : '0';
  return [BUILTIN_STATES_ARG, nextCallToken(), shapes.size, ...shapes.keys(), batch.length, packed, keepReply];
}

/**
 * A worker as the scripts store it: the record's JSON fragment `,"worker":"<id>"`, written right
 * after `updatedAt` (and after a start in `{p}:run`, see lua/includes/impliedRecord.lua); '' for none.
 */
export function workerFragment(worker: string | undefined): string {
  return worker === undefined ? '' : `,"worker":${JSON.stringify(worker)}`;
}

/**
 * The batch token in a call's record arguments (applyUpdates-9.lua's ARGV[5], as `recordHeader`
 * and `recordArgs` of the backend start): it names the key that keeps the call's reply.
 */
export function batchTokenOf(recordArgs: readonly ScriptArg[]): string {
  return String(recordArgs[4]);
}

/** Results of one applyUpdates call, in update order. */
export function applyResults(batch: readonly PendingUpdate[], reply: readonly unknown[]): ({ applied: true; record: TaskRecord } | { applied: false; stored: string | null; leaseLost: boolean })[] {
  const now = replyNumber(reply[0]);
  let extra = batch.length + 1;
  return batch.map(({ update, at }, i) => {
    const seq = replyNumber(reply[i + 1]);
    // 0: refused by the state machine; -1: its delivery no longer holds its lease (fencing).
    if (seq === 0 || seq === -1) {
      const stored = reply[extra++];
      return { applied: false, stored: stored === null || stored === undefined || stored === false ? null : replyString(stored), leaseLost: seq === -1 };
    }
    let task = update.task;
    let attempt = update.attempt;
    if (task === undefined || attempt === undefined) {
      attempt = replyNumber(reply[extra++]);
      task = JSON.parse(replyString(reply[extra++])) as string;
    }
    const record: TaskRecord = { id: update.id, task, state: update.state, seq, attempt, updatedAt: at ?? now };
    // Copies, as a reader of the store would get: a caller mutating its objects later changes nothing.
    if (update.meta !== undefined) record.meta = copyJson(update.meta);
    if (update.result !== undefined) record.result = copyJson(update.result);
    if (update.error !== undefined) record.error = copyJson(update.error);
    if (update.worker !== undefined) record.worker = update.worker;
    return { applied: true, record };
  });
}

function copyJson<T>(value: T): T {
  return typeof value === 'object' && value !== null ? (JSON.parse(JSON.stringify(value)) as T) : value;
}

/** A stored value (header + record JSON, see applyUpdates-9.lua) as a record. */
export function decodeStoredRecord(stored: string): TaskRecord {
  const { json } = splitStoredRecord(stored);
  return JSON.parse(json) as TaskRecord;
}

/**
 * A stored value's record JSON, and the timeline line it carries after it ('' for none; see
 * lua/includes/timelines.lua). The record JSON is the first '{"id":' after the header: inside the
 * task name's JSON string every quote is escaped, so the header cannot contain it; and JSON has no
 * raw newline, so the first one after it ends it.
 */
export function splitStoredRecord(stored: string): { json: string; carried: string } {
  const start = stored.indexOf('{"id":');
  if (start < 0) throw new TypeError('stored task record is not in the expected format');
  const end = stored.indexOf('\n', start);
  return end < 0 ? { json: stored.slice(start), carried: '' } : { json: stored.slice(start, end), carried: stored.slice(end + 1) };
}
