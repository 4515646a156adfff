import { type TaskMessage, decodeTaskMessage } from '@celeriac/core/adapter';
import { TASK_ID_PATTERN } from '@celeriac/core';

/**
 * A raw message from a foreign producer, checked before it joins its queue: valid JSON of a valid
 * message, an id the API would accept (TASK_ID_PATTERN), and an id not in use — a message reusing
 * the id of a waiting task would otherwise replace that task's arguments. Returns the message, or
 * why it goes to the dead-letter queue instead.
 */
export function admitInboxMessage(raw: string, inUse: (id: string) => boolean): { message: TaskMessage } | { reason: string } {
  let message: TaskMessage;
  try {
    message = decodeTaskMessage(raw);
  } catch (error) {
    return { reason: (error as Error).message };
  }
  if (!TASK_ID_PATTERN.test(message.id)) {
    return { reason: `field "id" must match ${String(TASK_ID_PATTERN)} (1 to 128 letters, digits, _ . : -), got ${JSON.stringify(message.id)}` };
  }
  if (inUse(message.id)) return { reason: `id ${JSON.stringify(message.id)} is already in use: a foreign message may not replace a task's message` };
  return { message };
}

/** A message with its own copy of the arguments (they were checked to be JSON when enqueued). */
export function copyMessage(message: TaskMessage): TaskMessage {
  return { ...message, args: message.args.length === 0 ? [] : (JSON.parse(JSON.stringify(message.args)) as unknown[]) };
}
