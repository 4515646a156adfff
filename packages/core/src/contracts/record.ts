import type { TaskMessage } from './message.js';
import type { TaskState } from '../state/states.js';

/** An error as stored in a FAILURE record: plain JSON, so any process can read it. */
export interface SerializedError {
  /** The error's class name, e.g. `TypeError` or `TimeLimitExceededError`. */
  type: string;
  message: string;
  /** A Celeriac error's stable code, or a Node error's `code`. */
  code?: string;
  stack?: string;
}

/** Progress reported from inside a task; the seed's `{ current, total, status }` plus anything JSON. */
export type TaskMeta = Record<string, unknown>;

/** The stored state of one task. One record per task id; `seq` grows by one with every accepted change. */
export interface TaskRecord {
  id: string;
  /** The task's registered name. */
  task: string;
  state: TaskState;
  /** Increases by exactly one per accepted update: readers drop anything not newer than what they have. */
  seq: number;
  /** Meta of the latest user state (e.g. PROGRESS), or the reason of a REVOKED/RETRY. */
  meta?: TaskMeta;
  /** Present on SUCCESS. */
  result?: unknown;
  /** Present on FAILURE (and on RETRY: the error that caused it). */
  error?: SerializedError;
  /** 1 for the first run, incremented by every retry. */
  attempt: number;
  /** When the record was last changed, in ms since the epoch. */
  updatedAt: number;
  /**
   * The worker running this attempt (`Worker.id`): set by STARTED, kept by the updates after it,
   * cleared when the task goes back to PENDING.
   */
  worker?: string;
}

/** A requested change of state. The backend assigns `seq` and `updatedAt`. */
export interface StateUpdate {
  id: string;
  /** Required to create a record (PENDING); later updates keep the stored name when omitted. */
  task?: string;
  /**
   * Only create: refused if the id has a record in any state. Enqueueing sets it, because PENDING
   * is also reachable from STARTED (a graceful shutdown handing a task back), and a second enqueue
   * of a running task's id must not reset it.
   */
  create?: boolean;
  state: TaskState;
  meta?: TaskMeta;
  result?: unknown;
  error?: SerializedError;
  attempt?: number;
  /** The worker starting this run (STARTED); later updates keep the stored one when omitted. */
  worker?: string | undefined;
  /**
   * The message of the delivery this write is made for (its STARTED, progress, outcome), set by
   * `splitStore` for its result backend only: a backend may keep some of it with the record
   * (Celery's extended result fields `args`, `kwargs`, `queue`), or ignore it, as stores do.
   */
  message?: TaskMessage;
}

/**
 * The outcome of applying an update: the new record, or the record that refused it
 * (`null` if there is none) when the state machine forbids the move from its current state.
 * Refusal is normal (a late progress report after SUCCESS, a start after REVOKED), not an error.
 * A write made for a delivery whose lease is no longer held is refused with `leaseLost: true`
 * (the state machine's own refusals never set it), whatever the state machine would have said.
 */
export type ApplyResult = { applied: true; record: TaskRecord } | { applied: false; current: TaskRecord | null; leaseLost?: true };
