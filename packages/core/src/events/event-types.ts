import type { SerializedError, TaskMeta } from '../contracts/record.js';
import type { WorkerInfo } from '../contracts/workers.js';
import type { TaskState } from '../state/states.js';

/** What every event of one task carries. */
export interface TaskEventBase {
  taskId: string;
  /** The task's registered name. */
  task: string;
  attempt: number;
  /** When it happened, in ms since the epoch. */
  at: number;
}

/** A task event a worker emits: which worker (`Worker.id`). */
export interface WorkerTaskEvent extends TaskEventBase {
  worker: string;
}

export interface TaskSentEvent extends TaskEventBase {
  queue: string;
  /** When it becomes due, for a delayed task. */
  eta?: number;
}

export interface TaskReceivedEvent extends WorkerTaskEvent {
  queue: string;
  /** 1 on its first delivery; more after a worker died holding it. */
  deliveries: number;
}

export interface TaskStartedEvent extends WorkerTaskEvent {
  queue: string;
  /** How long it waited in its queue: from when it was sent, or became due (`eta`, a retry's countdown), to this start, in ms. */
  waitMs: number;
}

export interface TaskProgressEvent extends WorkerTaskEvent {
  /** `PROGRESS` or a user state set with `ctx.updateState`. */
  state: TaskState;
  meta?: TaskMeta;
}

export interface TaskRetriedEvent extends WorkerTaskEvent {
  /** The error that caused the retry, when there is one. */
  error?: SerializedError;
  /** In how many ms the next attempt is due. */
  countdown: number;
}

export interface TaskSucceededEvent extends WorkerTaskEvent {
  /** From the run's start to its outcome, in ms. */
  runtimeMs: number;
}

export interface TaskFailedEvent extends WorkerTaskEvent {
  runtimeMs: number;
  error: SerializedError;
}

export interface TaskRevokedEvent extends WorkerTaskEvent {
  /** `revoked` (told while running) or `expired` (its `expires` passed before it ran). */
  reason: string;
}

export interface TaskDeadLetteredEvent extends WorkerTaskEvent {
  reason: string;
}

export interface WorkerEvent {
  worker: string;
  at: number;
}

/** `worker-online` and `worker-heartbeat`: what the worker says of itself (as `app.workers.list()`). */
export interface WorkerInfoEvent extends WorkerEvent {
  info: WorkerInfo;
}

export interface StoreDisconnectedEvent {
  at: number;
  /** Why, when the store knows. */
  error?: string;
}

export interface StoreReconnectedEvent {
  at: number;
  /** How long the store was unreachable. */
  downMs: number;
}

/**
 * Every lifecycle event by name, with its payload (Celery's event names): listen with `app.on`
 * (this process: its producer and every worker of the app) or `worker.on` (one worker).
 */
export interface CeleriacEvents {
  /** A producer of this app enqueued it. */
  'task-sent': TaskSentEvent;
  /** A worker took it from the store. */
  'task-received': TaskReceivedEvent;
  /** Its run began (its STARTED record was stored). */
  'task-started': TaskStartedEvent;
  /** The run stored `ctx.progress()` or a user state. */
  'task-progress': TaskProgressEvent;
  /** The run failed and another attempt is due. */
  'task-retried': TaskRetriedEvent;
  'task-succeeded': TaskSucceededEvent;
  /** It failed for good (its last attempt, or an error not retried). */
  'task-failed': TaskFailedEvent;
  'task-revoked': TaskRevokedEvent;
  /** Its message went to the dead-letter queue. */
  'task-dead-lettered': TaskDeadLetteredEvent;
  /** A worker started (after its first heartbeat). */
  'worker-online': WorkerInfoEvent;
  'worker-heartbeat': WorkerInfoEvent;
  /** A worker closed. */
  'worker-offline': WorkerEvent;
  /** The store lost its server; calls wait (or time out) until it is back. */
  'store-disconnected': StoreDisconnectedEvent;
  'store-reconnected': StoreReconnectedEvent;
}

export type CeleriacEventName = keyof CeleriacEvents;

/** A listener of one event, typed by its name. What it returns is ignored, but a rejected promise is logged. */
export type CeleriacListener<K extends CeleriacEventName> = (payload: CeleriacEvents[K]) => unknown;

/** One event of the queue-wide stream (`app.events`): its payload and its name as `type`. */
export type CeleriacEvent = { [K in CeleriacEventName]: { type: K } & CeleriacEvents[K] }[CeleriacEventName];

/** The events that go to the queue-wide stream: all but the store's connection, which is this process's own view. */
export function isStreamed(name: CeleriacEventName): boolean {
  return name !== 'store-disconnected' && name !== 'store-reconnected';
}
