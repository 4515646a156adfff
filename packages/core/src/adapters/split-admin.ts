import type { Broker } from '../contracts/broker.js';
import type { TaskMessage } from '../contracts/message.js';
import type { ResultBackend } from '../contracts/result-backend.js';
import { PURGED_REASON } from '../contracts/admin.js';
import { TaskStates } from '../state/states.js';

/**
 * `purgeQueue` of a split pair: the messages removed from the broker, then REVOKED stored for
 * each record. Two steps: a crash in between leaves PENDING records whose messages are gone (a
 * store that does it in one step has no such window).
 */
export async function purgeSplit(broker: Broker, backend: ResultBackend, queue: string, max: number): Promise<TaskMessage[]> {
  const removed = await broker.purgeQueue(queue, max);
  await Promise.all(removed.map((m) => backend.apply({ id: m.id, task: m.task, state: TaskStates.REVOKED, meta: { reason: PURGED_REASON } })));
  return removed;
}

/**
 * `retryTask` of a split pair: the FAILURE record reopened (PENDING, attempt + 1), then its
 * remembered message published with that attempt. A crash in between leaves a PENDING record
 * with no message; retrying again does not help then (the record is no longer FAILURE).
 */
export async function retrySplit(broker: Broker, backend: ResultBackend, id: string): Promise<boolean> {
  const [record, message] = await Promise.all([backend.get(id), backend.message(id)]);
  if (record?.state !== TaskStates.FAILURE || message === null) return false;
  const reopened = await backend.reopen(id, 'retried');
  if (!reopened.applied) return false;
  const next = retriedMessage(message, reopened.record.attempt);
  await backend.remember([next]);
  await broker.publish([next]);
  return true;
}

/** The message of a retried task: its original one, as a new attempt to run now. */
export function retriedMessage(message: TaskMessage, attempt: number): TaskMessage {
  const { eta: _eta, expires: _expires, ...rest } = message;
  return { ...rest, attempt };
}
