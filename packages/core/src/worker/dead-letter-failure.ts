import { type TaskMessage, carriesWorkflow } from '../contracts/message.js';
import type { ApplyResult, StateUpdate } from '../contracts/record.js';
import { runFollowUps, type FollowUpEnv } from '../canvas/follow-ups.js';
import { DeliveryLimitError } from '../errors/delivery-limit-error.js';
import { serializeError } from '../errors/serialize-error.js';
import { TaskStates } from '../state/states.js';

/** How a failed run stores its FAILURE (fenced by its lease) and settles its delivery (see RunReport). */
interface DeadLetterReport {
  apply(update: StateUpdate): Promise<ApplyResult>;
  deadLetter(reason: string): Promise<void>;
}

/**
 * A task that failed its last attempt, with `deadLetter` on: FAILURE stored (with its workflow's
 * follow-ups, as any failure), then its message moved to the dead-letter queue with the last
 * error as the reason, where it can be inspected and requeued (`app.deadLetters.requeue`), which
 * reopens the record for a new attempt. Stored before the move, as everywhere: a crash in between
 * redelivers a finished task, whose STARTED is refused and which is then acknowledged.
 */
export async function failToDeadLetter(env: FollowUpEnv, message: TaskMessage, update: StateUpdate, run: DeadLetterReport): Promise<void> {
  const stored = await run.apply(update);
  if (stored.applied && carriesWorkflow(message)) await runFollowUps(env, message, stored.record);
  const error = update.error;
  const reason = `failed on attempt ${message.attempt}: ${error === undefined ? 'unknown error' : `${error.type}: ${error.message}`}`;
  // A lost lease is not this run's to settle: the delivery comes back to whoever holds it now.
  if (stored.applied || stored.leaseLost !== true) await run.deadLetter(reason);
}

/**
 * A message delivered more than `maxDeliveries` times (it keeps killing workers): FAILURE stored
 * with a `DeliveryLimitError`, then the message dead-lettered, without running it again.
 */
export async function failOverDeliveryLimit(message: TaskMessage, deliveries: number, maxDeliveries: number, run: DeadLetterReport): Promise<void> {
  const error = new DeliveryLimitError(deliveries, maxDeliveries);
  const failed = await run.apply({ id: message.id, task: message.task, attempt: message.attempt, state: TaskStates.FAILURE, error: serializeError(error) });
  if (failed.applied || failed.leaseLost !== true) await run.deadLetter(error.message);
}
