import { type TaskMessage, carriesWorkflow } from '../contracts/message.js';
import type { ApplyResult, StateUpdate } from '../contracts/record.js';
import type { TaskStore } from '../contracts/task-store.js';
import type { Logger } from '../context/logger.js';
import { NotRegisteredError } from '../errors/not-registered-error.js';
import { TaskRevokedError } from '../errors/revoked-error.js';
import { SerializationError } from '../errors/serialization-error.js';
import { serializeError } from '../errors/serialize-error.js';
import { TimeLimitExceededError } from '../errors/time-limit-error.js';
import type { TaskRegistry, RegisteredTask } from '../app/registry.js';
import { findNonJson } from '../internal/json-check.js';
import { TaskStates, isTerminal, type TaskState } from '../state/states.js';
import { type FollowUpEnv, runFollowUps } from '../canvas/follow-ups.js';
import { failToDeadLetter } from './dead-letter-failure.js';
import { decideRetry } from './retry-policy.js';
import { armTimeLimits } from './time-limits.js';
import type { LazyAbort } from './lazy-abort.js';
import { RemoteFailure, type TaskPool } from './pools/pool.js';
import { inlinePool } from './pools/pools.js';

/** The store, and how workflow follow-ups start (next chain link, chord callback, error callbacks). */
export interface ExecutionEnv extends FollowUpEnv {
  readonly registry: TaskRegistry;
  readonly logger: Logger;
  /** Where each task's code runs; without it (eager mode), inline. */
  readonly pools?: { poolFor(definition: RegisteredTask): TaskPool };
  /** Whether a task that failed its last attempt goes to the dead-letter queue unless its `deadLetter` option says otherwise. */
  readonly deadLetterFailures: boolean;
}

/**
 * Where one run reports: its STARTED as the reserve stored it, and how its delivery is settled
 * (`TaskStore.apply`, `settle` and `ack` bound to the delivery, so every write is fenced by its
 * lease; eager mode stores without a delivery).
 */
export interface RunReport {
  readonly started: ApplyResult;
  /** Stores a state of this run (progress, user states, an outcome before its follow-ups). */
  apply(update: StateUpdate): Promise<ApplyResult>;
  /** Stores the outcome and settles the delivery in one step; with `next`, requeues it in its place. */
  settle(update: StateUpdate, next?: TaskMessage): Promise<ApplyResult>;
  /** Settles the delivery, its outcome already stored. */
  ack(): Promise<void>;
  /** Settles the delivery by moving its message to the dead-letter queue, its outcome already stored. */
  deadLetter(reason: string): Promise<void>;
}

/**
 * Runs one message to its outcome: registration and expiry checks, the task with its time limits,
 * then SUCCESS, RETRY or FAILURE. Every state goes through the store's state machine, so a revoked
 * or already-finished task is refused there rather than by special cases here.
 *
 * `controller` is aborted by the worker on revoke or shutdown; a bound task sees it as `ctx.signal`.
 * The run's own outcome is stored and its delivery settled in one step, unless the message has
 * workflow follow-ups: those must start after the outcome is stored and before the ack, so a crash
 * in between redelivers the message instead of losing them.
 */
export async function executeTask(env: ExecutionEnv, message: TaskMessage, controller: LazyAbort, run: RunReport): Promise<void> {
  if (!run.started.applied) {
    // Revoked (a revoked message that carries a workflow is kept for this: its producer may have
    // died before ending the workflow), or finished by an earlier delivery that may have died
    // before its follow-ups ran. Checked first: an expired or unregistered message with such a
    // record still has its workflow to end.
    const current = run.started.current;
    if (current !== null && isTerminal(current.state) && carriesWorkflow(message)) await runFollowUps(env, message, current);
    return run.ack();
  }
  const definition = env.registry.get(message.task);
  if (definition === undefined) {
    return finish(env, message, { ...runUpdate(message, TaskStates.FAILURE), error: serializeError(new NotRegisteredError(message.task)) }, run);
  }
  if (message.expires !== undefined && Date.now() > message.expires) {
    return finish(env, message, { ...runUpdate(message, TaskStates.REVOKED), meta: { reason: 'expired' } }, run);
  }

  const { timeLimit, softTimeLimit } = definition.options;
  const limits = armTimeLimits(controller, softTimeLimit, timeLimit);
  const pool = env.pools?.poolFor(definition) ?? inlinePool;
  let result: unknown;
  try {
    const startedAt = timeLimit === undefined ? 0 : Date.now();
    const value = pool.run(definition, message, controller, env, run);
    // A synchronous task's value is used as is: an await per task shows on a no-op run.
    if (limits.hardLimit !== undefined) result = await (pool.kind === 'inline' ? Promise.race([value, limits.hardLimit]) : onceStopped(value, limits.hardLimit));
    else result = isThenable(value) ? await value : value;
    // Inline, a task that blocked the event loop past its limit kept the timer from firing; it
    // still ran too long, so it fails as if the timer had fired.
    if (timeLimit !== undefined && Date.now() - startedAt > timeLimit) throw new TimeLimitExceededError(timeLimit, 'hard');
    // A void task's `undefined` is stored as "no result"; anything else must survive JSON as is.
    const problem = result === undefined ? undefined : findNonJson(result, 'result');
    if (problem !== undefined) throw new SerializationError(`The result of ${message.task}`, problem);
  } catch (error) {
    return await settleFailure(env, definition, message, controller, error, run);
  } finally {
    limits.disarm();
  }
  // Outside the try: failing to store the outcome is a storage failure, not the task's. The
  // delivery stays unsettled and is redelivered.
  const success = runUpdate(message, TaskStates.SUCCESS);
  success.result = result;
  return finish(env, message, success, run);
}

/** An update of this run's record: its id, task and attempt, and `state`. */
export function runUpdate(message: TaskMessage, state: TaskState): StateUpdate {
  return { id: message.id, task: message.task, attempt: message.attempt, state };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

async function settleFailure(
  env: ExecutionEnv,
  definition: RegisteredTask,
  message: TaskMessage,
  controller: LazyAbort,
  error: unknown,
  run: RunReport,
): Promise<void> {
  if (controller.reason instanceof TaskRevokedError) {
    // Revoked while running: REVOKED is already stored by whoever revoked it.
    const current = await env.store.get(message.id);
    if (current !== null && isTerminal(current.state) && carriesWorkflow(message)) await runFollowUps(env, message, current);
    return run.ack();
  }
  // A run in a thread or child process was judged there, where its error's class exists.
  const verdict = error instanceof RemoteFailure ? error.verdict : decideRetry(definition.options, error, message.attempt);
  if (verdict.retry) {
    const { countdown, cause } = verdict;
    const update: StateUpdate = {
      ...runUpdate(message, TaskStates.RETRY),
      meta: { countdown, nextAttempt: message.attempt + 1 },
      ...(cause === undefined ? {} : { error: cause }),
    };
    const next = { ...message, attempt: message.attempt + 1, eta: Date.now() + countdown };
    // A retry starts no follow-up, so it always goes in one step.
    await run.settle(update, next);
    return;
  }
  const failure = verdict.failure;
  env.logger.error(`task ${message.task} failed: ${failure.message}`, { taskId: message.id, task: message.task, attempt: message.attempt, error: { type: failure.type, code: failure.code, message: failure.message, stack: failure.stack } });
  const update = { ...runUpdate(message, TaskStates.FAILURE), error: failure };
  if (definition.options.deadLetter ?? env.deadLetterFailures) return failToDeadLetter(env, message, update, run);
  return finish(env, message, update, run);
}

/**
 * Stores a terminal outcome and settles the delivery in one step; with follow-ups, stores it,
 * starts them (only if this call stored it), then acknowledges.
 */
function finish(env: ExecutionEnv, message: TaskMessage, update: StateUpdate, run: RunReport): Promise<void> {
  // Not async: this is every task's last step, and an async frame per task shows in profiles.
  if (!carriesWorkflow(message)) return run.settle(update).then(nothing);
  return storeThenFollowUps(env, message, update, run);
}

function nothing(): void {}

export async function storeThenFollowUps(env: ExecutionEnv, message: TaskMessage, update: StateUpdate, run: RunReport): Promise<void> {
  const stored = await run.apply(update);
  if (stored.applied) await runFollowUps(env, message, stored.record);
  // A lost lease is not this run's to settle: the delivery comes back to whoever holds it now.
  if (stored.applied || stored.leaseLost !== true) await run.ack();
}

/**
 * A pool that can stop code kills its runner at the hard limit, and the run ends when the runner
 * has exited: its outcome (the limit's FAILURE) waits for that, so no side effect of the task
 * follows the stored outcome.
 */
async function onceStopped(run: unknown, hardLimit: Promise<never>): Promise<unknown> {
  let limit: unknown;
  hardLimit.catch((error: unknown) => (limit = error));
  try {
    return await run;
  } catch (error) {
    throw limit ?? error;
  }
}
