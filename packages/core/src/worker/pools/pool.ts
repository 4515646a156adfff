import type { TaskMessage } from '../../contracts/message.js';
import type { RegisteredTask } from '../../app/registry.js';
import type { PoolKind } from '../../options/task-options.js';
import type { RetryVerdict } from '../retry-policy.js';
import type { LazyAbort } from '../lazy-abort.js';
import type { ApplyResult, StateUpdate } from '../../contracts/record.js';
import type { Logger } from '../../context/logger.js';

/**
 * Where a task's body runs. The worker keeps everything else (store, leases, heartbeats, time
 * limits, revoke, shutdown) on its own thread; a pool only turns (task, args) into a value or an
 * error, so every pool reports through the same `RunReport` and the storage path is identical.
 */
export interface TaskPool {
  readonly kind: PoolKind;
  /**
   * Runs the task's body. Returns its value (a promise for asynchronous work) or throws/rejects
   * with what it threw. Aborting `controller` tells the task (its `ctx.signal`); a pool that can
   * stop code stops it as the abort's reason demands (hard limit, revoke, shutdown).
   */
  run(definition: RegisteredTask, message: TaskMessage, controller: LazyAbort, env: RunEnv, report: StateWriter): unknown;
  /** Stops every runner; tasks still in them are lost (the worker hands them back first). */
  close(): Promise<void>;
}

/** Where a run's context logs (`storeHost`), made only when a task needs it. */
export interface RunEnv {
  readonly logger: Logger;
}

/** How a run's states are stored: through its report, so every write is fenced by its lease. */
export interface StateWriter {
  apply(update: StateUpdate): Promise<ApplyResult>;
}

/**
 * A failed attempt in a runner: the runner decided what becomes of it (retry or failure), because
 * the error's class and the task's `retryOn` rules can only be checked where the error was thrown.
 */
export class RemoteFailure extends Error {
  constructor(readonly verdict: RetryVerdict) {
    super(verdict.retry ? 'retry requested by the runner' : verdict.failure.message);
    this.name = 'RemoteFailure';
  }
}

