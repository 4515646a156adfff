import type { DeadLetter, Delivery, RevokeListener, ReserveRequest, StartedDelivery } from './broker.js';
import type { TaskMessage } from './message.js';
import type { ApplyResult, StateUpdate, TaskRecord } from './record.js';
import type { RecordListener } from './result-backend.js';
import type { BroadcastListener, ConnectionListener, EventsListener, WorkerInfo } from './workers.js';
import type { QueueInfo, TaskQuery, TaskView } from './admin.js';
import type { TaskState } from '../state/states.js';

/** What the caller knows of the messages it enqueues. */
export interface EnqueueOptions {
  /**
   * Every id was generated for this call from enough random bits never to repeat (the app's own
   * generator, not a caller's `taskId` or `generateId`): none can be in use, revoked, or listened
   * to yet, so a store may skip checking and announcing them.
   */
  freshIds?: boolean;
}

/**
 * The one seam between core and storage: where tasks wait and where their states live. Core
 * talks to storage only through this; every method is one atomic step. A store that keeps
 * messages and records apart (a Celery-style broker plus result backend) is adapted to it by
 * `splitStore` from `@celeriac/core/adapter`.
 *
 * Checked by `taskStoreConformance` from `@celeriac/core/testing`.
 *
 * Contents:
 * 1. Producing: `enqueue`, `publish`.
 * 2. One delivery, from reserve to settle: `reserve`, `settle`, `ack`, `deadLetter`.
 * 3. Task records: `apply`, `get`, `forget`, `subscribe`.
 * 4. Revocation: `revoke`, `isRevoked`, `onRevoke`.
 * 5. Dead letters: `deadLetters`, `retryDeadLetter`, `purgeDeadLetters`.
 * 6. Workflows and schedules: `completeGroupMember`, `publishOnce`, `compareAndSet`, `getValue`.
 * 7. Monitoring and lifecycle: `size`, `close`.
 * 8. Workers and events: `heartbeatWorker`, `removeWorker`, `workers`, `broadcast`, `onBroadcast`,
 *    `appendEvents`, `recentEvents`, `followEvents`, `onConnectionChange`.
 * 9. Queues and task listing: `queues`, `pauseQueue`, `purgeQueue`, `taskCounts`, `listTasks`,
 *    `viewTask`, `retryTask`.
 */
export interface TaskStore {
  // 1. Producing

  /**
   * Creates the PENDING record of every message and publishes the messages, all or nothing: if
   * any id already has a record (or appears twice), nothing is created or published and every
   * entry is refused (`current`: the record in the way, or `null`). Resolves once the messages
   * are durably accepted; a message with a future `eta` becomes reservable when due.
   */
  enqueue(messages: readonly TaskMessage[], options?: EnqueueOptions): Promise<ApplyResult[]>;
  /**
   * Publishes messages whose records exist already: workflow steps, whose PENDING records are
   * created up front so their results can be followed before they run. Nothing is checked or
   * created; resolves once the messages are durably accepted.
   */
  publish(messages: readonly TaskMessage[]): Promise<void>;

  // 2. One delivery, from reserve to settle. Hand each delivery back with exactly one of
  //    settle / ack / deadLetter; one never handed back (its worker died) is delivered again,
  //    with `deliveries` incremented, once its lease ends.
  //    Fencing: every write made for a delivery (settle, ack, deadLetter, apply with a delivery)
  //    is refused once that delivery no longer holds its lease: the lease expired, the delivery
  //    was settled (a hand-back included), or another delivery took the message. A refused
  //    settle or apply says `leaseLost: true`; a refused ack or deadLetter changes nothing.

  /**
   * Takes up to `request.max` messages (higher priority first, then FIFO; only the named queues
   * and tasks; a revoked id never; on a store that spreads a queue over partitions, the order holds
   * among the tasks of one partition, which all tasks of one `partitionKey` share), leases them, and stores STARTED for each in the same step:
   * there is no moment where a task is leased but its record does not say so. A refused STARTED
   * (the record is terminal: revoked, or finished by an earlier delivery) is reported in the
   * delivery's `started`, and the delivery is still returned for the worker to settle. A message
   * with no record (expired, forgotten, or from a foreign producer) starts from PENDING. Malformed
   * stored messages are dead-lettered with their reason, never returned.
   */
  reserve(request: ReserveRequest): Promise<StartedDelivery[]>;
  /**
   * Stores a run's outcome and settles its delivery in one step. With `next`, an accepted update
   * requeues `next` in the delivery's place (a retry, or a run handed back unstarted at shutdown
   * with a PENDING update); otherwise, or if the state machine refuses the update, the delivery is
   * acknowledged and nothing is published. If the delivery no longer holds its lease, nothing is
   * stored, acknowledged or published: `{ applied: false, leaseLost: true }`. A settle resent
   * after a lost reply still gets its first answer, though its first run removed the lease.
   */
  settle(delivery: Delivery, update: StateUpdate, next?: TaskMessage): Promise<ApplyResult>;
  /** Settles a delivery whose outcome is already stored (workflow follow-ups ran in between). */
  ack(delivery: Delivery): Promise<void>;
  /** Settles a delivery by moving its message to the dead-letter queue with a reason. */
  deadLetter(delivery: Delivery, reason: string): Promise<void>;

  // 3. Task records: one per id, every change checked by the state machine.

  /**
   * Applies a change of state, atomically per id: checks the move with the state machine, stores
   * the record with `seq + 1` and tells that id's subscribers. A refused move changes nothing.
   * With `delivery` (a run's progress, user states, or an outcome stored before its follow-ups),
   * the write is fenced: refused with `leaseLost: true` unless the delivery still holds its lease,
   * checked in the same atomic step.
   */
  apply(update: StateUpdate, delivery?: Delivery): Promise<ApplyResult>;
  /** The record, or the PENDING record its waiting message implies; `null` for an unknown id. */
  get(id: string): Promise<TaskRecord | null>;
  /** Deletes the record (Celery's `forget`); the id may be used again from seq 1. */
  forget(id: string): Promise<void>;
  /**
   * Calls `listener` with every accepted change of the id's record, from any process. Resolves
   * once the subscription is live, so "subscribe, then get" never misses a change. Events are a
   * hint; `get` is the truth.
   */
  subscribe(id: string, listener: RecordListener): Promise<() => void>;

  // 4. Revocation

  /**
   * Marks an id revoked: waiting and delayed copies never run; running ones are told via
   * `onRevoke`. Resolves with the waiting or delayed message it found (`null` if none), so the
   * caller can end the workflow that message carried at once (`app.revoke` does).
   *
   * That message is removed, unless it carries a workflow (`carriesWorkflow`: the rest of a chain,
   * error callbacks, a chord) and its record is terminal (the caller stored REVOKED first, as
   * `app.revoke` does): then it stays in its queue, ready or delayed, and the id is not marked. Its
   * record refuses its STARTED, and the worker that takes it ends its workflow before acknowledging
   * it, so a caller that dies before ending the workflow loses nothing. It counts in `size` and
   * `queues` until a worker takes it. Checked in the same atomic step as the removal.
   */
  revoke(taskId: string): Promise<TaskMessage | null>;
  /** Whether the id is marked revoked (a workflow message kept by `revoke` is not: its record refuses it). */
  isRevoked(taskId: string): Promise<boolean>;
  /** Calls `listener` with every id revoked anywhere. Returns an unsubscribe function. */
  onRevoke(listener: RevokeListener): Promise<() => void>;

  // 5. Dead letters

  /**
   * Messages in the dead-letter queue, oldest first: `limit` (default 100) of them from `offset`
   * (default 0). The queue is bounded: a store drops its oldest letters beyond its configured
   * count and age.
   */
  deadLetters(limit?: number, offset?: number): Promise<DeadLetter[]>;
  /**
   * Puts a dead letter back on its queue as a new first delivery of a new attempt, in one step:
   * a FAILURE record goes back to PENDING (seq + 1, attempt + 1, its earlier states having been
   * published in order), and the message carries that attempt, so the task really runs again.
   * Other records are left as they are. Resolves false for an id not in the dead-letter queue.
   */
  retryDeadLetter(id: string): Promise<boolean>;
  /** Deletes the named dead letters (every one if `ids` is omitted). Resolves with how many were deleted. */
  purgeDeadLetters(ids?: readonly string[]): Promise<number>;

  // 6. Workflows and schedules

  /**
   * Records that `memberId` of group `groupId` (of `size` members) has finished. Resolves `true`
   * once every member has been counted: to the call that counted the last one, and to every later
   * report (a redelivered member), so a finisher that died before starting the group's callback
   * is followed by one that starts it. A member reported twice is counted once. Start the
   * callback with `publishOnce`: that is what makes it run once.
   */
  completeGroupMember(groupId: string, memberId: string, size: number): Promise<boolean>;
  /**
   * Publishes `messages` (whose records exist) and marks `key` done, in one atomic step, unless
   * `key` is marked already: resolves `true` to the one call that published, `false` to every
   * other, even when they race in different processes. Keys share `compareAndSet`'s namespace
   * (prefix them) and expire with the store's result TTL.
   */
  publishOnce(key: string, messages: readonly TaskMessage[]): Promise<boolean>;
  /**
   * Sets `key` to `value` only if it holds `expected` (`null`: absent), atomically. Keys live in
   * their own namespace, apart from task records; `ttlMs` expires them.
   */
  compareAndSet(key: string, expected: string | null, value: string, ttlMs?: number): Promise<boolean>;
  getValue(key: string): Promise<string | null>;

  // 7. Monitoring and lifecycle

  /** Messages waiting (ready and delayed) in a queue. */
  size(queue: string): Promise<number>;
  /** Waits for queued writes, then closes what the store opened (never a connection it was given). */
  close(): Promise<void>;

  // 8. Workers and events: what operators see of a running deployment, from any process.

  /**
   * Stores `info` under `info.id` until `ttlMs` passes without another heartbeat of that id: a
   * worker killed without closing drops out of `workers()` by itself.
   */
  heartbeatWorker(info: WorkerInfo, ttlMs: number): Promise<void>;
  /** Removes a worker's entry (it closed). */
  removeWorker(id: string): Promise<void>;
  /** The live workers: every entry whose TTL has not passed, in no particular order. */
  workers(): Promise<WorkerInfo[]>;
  /** Sends `message` to every `onBroadcast` listener of this storage, in any process (ping and its replies). */
  broadcast(message: string): Promise<void>;
  /** Calls `listener` with every broadcast sent after it resolves. Returns an unsubscribe function. */
  onBroadcast(listener: BroadcastListener): Promise<() => void>;
  /**
   * Appends events (opaque strings) to the queue-wide event stream, in order, and tells the
   * followers. The stream is bounded: a store drops its oldest events beyond its configured length.
   */
  appendEvents(events: readonly string[]): Promise<void>;
  /** The newest `limit` events of the stream, oldest first. */
  recentEvents(limit: number): Promise<string[]>;
  /**
   * Calls `listener` with every event appended after it resolves, in order, in batches; with
   * `since` (ms since the epoch), the stored events appended since then come first, none twice.
   * Returns an unsubscribe function.
   */
  followEvents(listener: EventsListener, since?: number): Promise<() => void>;
  /**
   * Calls `listener` whenever the store loses or regains its connection to its server (a store
   * with no server never calls it). Returns an unsubscribe function.
   */
  onConnectionChange(listener: ConnectionListener): () => void;
  // 9. Queues and task listing (the admin API: `app.queues`, `app.tasks`)

  /**
   * Every queue the store knows (each queue a message was ever sent to, and each paused one: a
   * small set, named by the app's task options), with its counts. Sorted by name.
   */
  queues(): Promise<QueueInfo[]>;
  /**
   * Pauses (`true`) or resumes (`false`) a queue. Once a pause resolves, no reserve returns a
   * message of that queue (checked in the reserving step itself, so no worker races it), until
   * it is resumed; enqueues and publishes are still accepted. Resuming wakes waiting reserves.
   */
  pauseQueue(queue: string, paused: boolean): Promise<void>;
  /**
   * Removes up to `max` (default 1 000) waiting and delayed messages of a queue and stores
   * REVOKED (`meta.reason` `'purged'`) for each one's record, so nothing still says PENDING.
   * Resolves with the messages removed (call again until it resolves `[]`), so the caller can end
   * the workflows they carried, as after `revoke`. Running tasks are not touched.
   */
  purgeQueue(queue: string, max?: number): Promise<TaskMessage[]>;
  /**
   * How many tasks are in each state: every live task (waiting, running, retrying), and the
   * finished ones the store still lists (bounded by its retention: count and age per state).
   */
  taskCounts(): Promise<Record<TaskState, number>>;
  /**
   * Records in one state (maybe of one task name, maybe of one queue: the queue of the task's
   * message), newest change first: `limit` of the matching ones from `offset`. Finished states
   * list only what the store retains (its retention options); a task whose message the store no
   * longer keeps has no known queue, so a queue filter leaves it out.
   */
  listTasks(query: TaskQuery): Promise<TaskRecord[]>;
  /** A task's record with its arguments, queue and timeline; `null` for an unknown id. */
  viewTask(id: string): Promise<TaskView | null>;
  /**
   * Runs a FAILURE task again as a new attempt with its original message, in one step: the
   * record goes back to PENDING (seq + 1, attempt + 1) and the message is published with that
   * attempt. Resolves false (nothing changed) unless the record is FAILURE and its message is
   * still kept.
   */
  retryTask(id: string): Promise<boolean>;
}
