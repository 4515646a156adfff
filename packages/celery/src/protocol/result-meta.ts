import { type SerializedError, type TaskMeta, type TaskRecord, TaskStates, isUserState } from '@celeriac/core';
import type { TaskMessage } from '@celeriac/core/adapter';
import { celeryCall } from './message.js';
import { type CeleryException, fromCeleryException, toCeleryException } from './exceptions.js';
import { formatDateDone, parseCeleryTime } from './time.js';

/** Celery's states whose result is final (`celery.states.READY_STATES`): they get a `date_done`. */
const READY: ReadonlySet<string> = new Set([TaskStates.SUCCESS, TaskStates.FAILURE, TaskStates.REVOKED]);

/** What of a Celeriac record Celery's meta has no field for; Celery's readers ignore the key. */
export interface CeleriacRecordExtras {
  seq: number;
  updatedAt: number;
  meta?: TaskMeta;
  error?: SerializedError;
}

/**
 * A task's result as Celery's key-value backends store it under `celery-task-meta-<id>` (and
 * publish it on that channel), with the extended fields `name` and `retries`, and Celeriac's
 * own in `celeriac`. The `celeriac` key is written first: the Redis backend's script fills in
 * `seq`, which only it knows, after that prefix (see CELERIAC_PREFIX).
 */
export interface CeleryResultMeta {
  celeriac?: CeleriacRecordExtras;
  status: string;
  result: unknown;
  traceback: string | null;
  children: unknown[];
  date_done: string | null;
  task_id: string;
  name?: string | null;
  retries?: number | null;
  /** Celery's extended `worker` (the hostname); Celeriac's worker id. */
  worker?: string | null;
  /** Celery's extended `args`, `kwargs` and `queue`: written when the record is stored for a delivery of the message. */
  args?: unknown[] | null;
  kwargs?: Record<string, unknown> | null;
  queue?: string | null;
}

/**
 * A Celeriac record as Celery's meta: `result` is the value on SUCCESS, the exception (`exc_type`,
 * `exc_message` as a list, `exc_module`) on FAILURE and RETRY, a `TaskRevokedError` on REVOKED,
 * and the meta of a user state (what Python's `update_state(state, meta)` stores), so
 * `AsyncResult.info` reads the same whichever side wrote it. With the task's `message` (a write
 * made for its delivery), the extended `args`, `kwargs` (as the producer sent them) and `queue`.
 */
export function toCeleryMeta(record: TaskRecord, message?: TaskMessage): CeleryResultMeta {
  const extras: CeleriacRecordExtras = { seq: record.seq, updatedAt: record.updatedAt };
  if (record.meta !== undefined && !isUserState(record.state)) extras.meta = record.meta;
  if (record.error !== undefined) extras.error = record.error;
  const meta: CeleryResultMeta = {
    celeriac: extras,
    status: record.state,
    result: celeryResult(record),
    traceback: record.error?.stack ?? null,
    children: [],
    date_done: READY.has(record.state) ? formatDateDone(record.updatedAt) : null,
    task_id: record.id,
    name: record.task,
    retries: record.attempt - 1,
    worker: record.worker ?? null,
  };
  if (message !== undefined) {
    const { args, kwargs } = celeryCall(message);
    Object.assign(meta, { args, kwargs, queue: message.queue });
  }
  return meta;
}

function celeryResult(record: TaskRecord): unknown {
  switch (record.state) {
    case TaskStates.SUCCESS:
      return record.result ?? null;
    case TaskStates.FAILURE:
    case TaskStates.RETRY:
      return record.error === undefined ? null : toCeleryException(record.error);
    case TaskStates.REVOKED: {
      const reason = typeof record.meta?.reason === 'string' ? record.meta.reason : 'revoked';
      return { exc_type: 'TaskRevokedError', exc_message: [reason], exc_module: 'celery.exceptions' } satisfies CeleryException;
    }
    default:
      return isUserState(record.state) ? (record.meta ?? null) : null;
  }
}

/** A record read from Celery's meta; `seq` is `undefined` when Celery (not Celeriac) wrote it. */
export type DecodedRecord = Omit<TaskRecord, 'seq'> & { seq: number | undefined };

/** Celery's meta (written by Python or by Celeriac) as a Celeriac record. */
export function fromCeleryMeta(id: string, value: unknown, now = Date.now()): DecodedRecord {
  const meta = (typeof value === 'object' && value !== null ? value : {}) as Partial<CeleryResultMeta>;
  const extras = typeof meta.celeriac === 'object' && meta.celeriac !== null ? meta.celeriac : undefined;
  const state = typeof meta.status === 'string' ? meta.status : TaskStates.PENDING;
  const record: DecodedRecord = {
    id,
    task: typeof meta.name === 'string' ? meta.name : '',
    state,
    seq: typeof extras?.seq === 'number' ? extras.seq : undefined,
    attempt: (typeof meta.retries === 'number' ? meta.retries : 0) + 1,
    updatedAt: extras?.updatedAt ?? dateDone(meta.date_done) ?? now,
  };
  if (extras?.meta !== undefined) record.meta = extras.meta;
  if (typeof meta.worker === 'string') record.worker = meta.worker;
  if (state === TaskStates.SUCCESS) record.result = meta.result;
  else if (state === TaskStates.FAILURE || state === TaskStates.RETRY) {
    if (extras?.error !== undefined) record.error = extras.error;
    else if (meta.result !== null && meta.result !== undefined) record.error = fromCeleryException(meta.result, meta.traceback);
  } else if (state === TaskStates.REVOKED && record.meta === undefined) {
    record.meta = { reason: fromCeleryException(meta.result, null).message || 'revoked' };
  } else if (isUserState(state) && meta.result !== null && meta.result !== undefined) {
    record.meta = typeof meta.result === 'object' && !Array.isArray(meta.result) ? (meta.result as TaskMeta) : { value: meta.result };
  }
  return record;
}

function dateDone(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return Math.floor(parseCeleryTime(value));
  } catch {
    return undefined;
  }
}
