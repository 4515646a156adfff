import type { TaskMeta } from '../../contracts/record.js';
import type { LogFields, Logger } from '../../context/logger.js';
import { TaskRevokedError } from '../../errors/revoked-error.js';
import { TimeLimitExceededError } from '../../errors/time-limit-error.js';
import { WorkerShutdownError } from '../../errors/worker-shutdown-error.js';
import type { TaskState } from '../../state/states.js';
import type { ContextHost } from '../create-context.js';
import type { AbortCause, FromRunner } from './protocol.js';

type Send = (message: FromRunner) => void;
/** Sends a state update to the worker and resolves once it is stored there. */
type Request = (id: string, state: TaskState, meta: TaskMeta | undefined) => Promise<void>;

/**
 * The context host inside a runner: `ctx.progress()` / `ctx.updateState()` resolve once the worker
 * has stored the state (the same ordering as inline), and log lines go to the worker's logger.
 */
export function runnerHost(send: Send, message: { id: string }, request: Request): ContextHost {
  const log =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (text: string, fields?: LogFields): void => {
      try {
        send({ type: 'log', id: message.id, level, message: text, fields });
      } catch {
        // Fields that cannot be cloned (functions, sockets …) must not fail the task.
        send({ type: 'log', id: message.id, level, message: text, fields: { fields: String(fields) } });
      }
    };
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  return { logger, storeState: (state, meta) => request(message.id, state, meta) };
}

/** The error a task sees as `ctx.signal.reason`: the same classes as inline, rebuilt on this side. */
export function abortReason(cause: AbortCause): Error {
  switch (cause.kind) {
    case 'revoked':
      return new TaskRevokedError(cause.taskId);
    case 'time-limit':
      return new TimeLimitExceededError(cause.limitMs, cause.hard ? 'hard' : 'soft');
    case 'shutdown':
      return new WorkerShutdownError();
    default: {
      const error = new Error(cause.error.message);
      error.name = cause.error.type;
      return error;
    }
  }
}

/** The other way: what the worker sends for an abort reason. */
export function abortCause(reason: unknown): AbortCause {
  if (reason instanceof TaskRevokedError) return { kind: 'revoked', taskId: reason.taskId };
  if (reason instanceof TimeLimitExceededError) return { kind: 'time-limit', limitMs: reason.limitMs, hard: reason.kind === 'hard' };
  if (reason instanceof WorkerShutdownError) return { kind: 'shutdown' };
  const error = reason instanceof Error ? reason : new Error(String(reason));
  return { kind: 'other', error: { type: error.name, message: error.message } };
}
