import type { ApplyResult, StateUpdate, TaskRecord } from './record.js';
import type { TaskMessage } from './message.js';
import type { TaskStore } from './task-store.js';

/** What a result backend does exactly as `TaskStore` does it: `splitStore` passes these through. */
type AsTaskStore =
  // 8. Workers and events
  | 'heartbeatWorker'
  | 'removeWorker'
  | 'workers'
  | 'broadcast'
  | 'onBroadcast'
  | 'appendEvents'
  | 'recentEvents'
  | 'followEvents'
  | 'onConnectionChange'
  // 9. Task listing
  | 'taskCounts'
  | 'listTasks'
  | 'viewTask';

/** Receives every accepted change of one task's record. Events are a hint; `get` is the truth. */
export type RecordListener = (record: TaskRecord) => void;

/**
 * Where task state lives, for a store that keeps records apart from messages (a Celery-style
 * result backend): `splitStore(broker, backend)` makes a `TaskStore` of it.
 *
 * Contract (checked by `backendConformance` from `@celeriac/core/testing`):
 * - `apply` is atomic per id: it checks the move with the state machine (`canTransition`, or the
 *   `allowedSources` list where it runs in the store), then stores the record with `seq + 1`
 *   and publishes it to that id's listeners. A refused move changes nothing.
 * - `subscribe` resolves once the subscription is live, so "subscribe, then get" never misses a change.
 */
export interface ResultBackend extends Pick<TaskStore, AsTaskStore> {
  /** `update.message` is set by `splitStore` when the write is made for a delivery (see StateUpdate). */
  apply(update: StateUpdate): Promise<ApplyResult>;
  get(id: string): Promise<TaskRecord | null>;
  /** Delete the record (Celery's `forget`). */
  forget(id: string): Promise<void>;
  subscribe(id: string, listener: RecordListener): Promise<() => void>;
  /**
   * Records that `memberId` of group `groupId` (of `size` members) has finished. Resolves `true`
   * once every member has been counted: to the call that counted the last one and to every later
   * report (see `TaskStore.completeGroupMember`). A member reported twice is counted once.
   */
  completeGroupMember(groupId: string, memberId: string, size: number): Promise<boolean>;
  /**
   * Moves a FAILURE record back to PENDING with seq + 1 and attempt + 1 (a dead letter put back
   * on its queue, or a failed task retried: `reason` goes in its meta), telling its subscribers;
   * any other record, or none, is left as it is.
   */
  reopen(id: string, reason?: string): Promise<ApplyResult>;
  /**
   * Sets `key` to `value` only if it currently holds `expected` (`null`: absent), atomically.
   * Schedulers use it so that many of them enqueue each due run once. Keys live in their own
   * namespace, apart from task records; `ttlMs` expires them.
   */
  compareAndSet(key: string, expected: string | null, value: string, ttlMs?: number): Promise<boolean>;
  getValue(key: string): Promise<string | null>;
  close(): Promise<void>;

  // Task listing (the admin API, see TaskStore section 9)
  /** Keeps each message (its arguments, queue, priority) with its record, as long as the record is kept. */
  remember(messages: readonly TaskMessage[]): Promise<void>;
  /** The message last remembered for an id, or `null`. */
  message(id: string): Promise<TaskMessage | null>;
}
