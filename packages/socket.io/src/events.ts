/**
 * The wire contract between the task channel and its clients. Types only,
 * so the browser helper can import it without pulling in the server, Node or `@celeriac/core` code.
 */
import type { TaskMeta, TaskState } from '@celeriac/core';

/** An error as a client sees it on FAILURE: never the stack, which may leak server internals. */
export interface TaskErrorInfo {
  /** The error's class name, e.g. `TypeError`. */
  type: string;
  message: string;
}

/**
 * Celery's `info`: the result on SUCCESS, the error's `{ type, message }` on FAILURE, else the latest
 * meta (progress `{ current, total, status }`, a revoke reason), or `null` when there is none.
 */
export type TaskInfo<R = unknown> = R | TaskErrorInfo | TaskMeta | null;

/** One state of one task, as pushed to subscribers and returned in the `subscribe` acknowledgement. */
export interface TaskUpdate<R = unknown> {
  id: string;
  state: TaskState;
  info: TaskInfo<R>;
  /** Grows with every stored change of this task: apply an update only if its `seq` is newer. */
  seq: number;
}

/** Why the server refused (or stopped) one subscription. Stable: match on it, not on messages. */
export type SubscriptionErrorCode =
  /** Not a string of 1-128 letters, digits and `_ . : -`. */
  | 'INVALID_ID'
  /** No task with this id was ever enqueued (or its record was forgotten). */
  | 'UNKNOWN_TASK'
  /** The channel's `authorize` hook refused it (or threw). */
  | 'NOT_AUTHORIZED'
  /** The socket already follows `maxSubscriptionsPerSocket` tasks. */
  | 'TOO_MANY_SUBSCRIPTIONS'
  /** The result backend failed, or the channel is closing: try again later. */
  | 'UNAVAILABLE';

export interface SubscriptionErrorInfo {
  code: SubscriptionErrorCode;
  message: string;
}

/** The outcome for one requested id, in the order the ids were given. */
export type SubscribeOutcome =
  | { id: string; ok: true; update: TaskUpdate }
  | { id: string; ok: false; error: SubscriptionErrorInfo };

/** What the server emits (listen for these on the client). */
export interface ServerToClientEvents {
  /** A change of a subscribed task, progress included. The last one for a task has a terminal state. */
  'task:update': (update: TaskUpdate) => void;
  /** The server stopped following a task it could not read any more; no further updates will come. */
  'task:error': (failure: { id: string; error: SubscriptionErrorInfo }) => void;
}

/** What a client emits. */
export interface ClientToServerEvents {
  /** Follow one or more tasks; the acknowledgement carries each one's current state or error. */
  subscribe: (ids: string | string[], ack: (outcomes: SubscribeOutcome[]) => void) => void;
  /** Stop following; the acknowledgement (optional) comes once no further updates will be sent. */
  unsubscribe: (ids: string | string[], ack?: () => void) => void;
}
