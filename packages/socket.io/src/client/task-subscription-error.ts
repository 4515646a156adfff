import type { SubscriptionErrorCode } from '../events.js';

/**
 * Why a followed task's promise rejected: the server's per-id refusal (`INVALID_ID`, `UNKNOWN_TASK`,
 * `NOT_AUTHORIZED`, `TOO_MANY_SUBSCRIPTIONS`, `UNAVAILABLE`) or a client-side one.
 */
export type TaskSubscriptionErrorCode =
  | SubscriptionErrorCode
  /** The server did not acknowledge the subscription in `ackTimeout` ms while connected. */
  | 'TIMEOUT'
  /** The server refused the connection (namespace middleware) and the socket will not retry. */
  | 'CONNECTION_REFUSED'
  /** `close()` was called on the subscriber. */
  | 'CLOSED';

/**
 * A plain `Error` rather than core's `CeleriacError`: this file runs in browsers, where core is
 * not loaded. `code` is stable: match on it, not on the message.
 */
export class TaskSubscriptionError extends Error {
  constructor(
    readonly code: TaskSubscriptionErrorCode,
    readonly taskId: string,
    message: string,
  ) {
    super(message);
    this.name = 'TaskSubscriptionError';
  }
}
