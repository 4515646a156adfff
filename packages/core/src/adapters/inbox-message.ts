import { TASK_ID_PATTERN } from '../app/apply-options.js';
import { type TaskMessage, decodeTaskMessage } from '../contracts/message.js';

/**
 * What a store checks of a raw message from a foreign producer (an inbox any language may push
 * to) before admitting it to its queue: a valid message whose id follows the API's own rule
 * (TASK_ID_PATTERN), so a foreign producer cannot use ids no caller could. Returns the message, or
 * why it goes to the dead-letter queue instead. Whether the id is already in use is the store's to
 * check, atomically with the admission: a message reusing the id of a waiting task would
 * otherwise replace that task's arguments.
 */
export function checkInboxMessage(raw: string): { message: TaskMessage } | { reason: string } {
  let message: TaskMessage;
  try {
    message = decodeTaskMessage(raw);
  } catch (error) {
    return { reason: (error as Error).message };
  }
  if (!TASK_ID_PATTERN.test(message.id)) {
    return { reason: `field "id" must match ${String(TASK_ID_PATTERN)} (1 to 128 letters, digits, _ . : -), got ${JSON.stringify(message.id)}` };
  }
  return { message };
}

/** The reason a foreign message whose id is already in use is dead-lettered. */
export function idInUseReason(id: string): string {
  return `id ${JSON.stringify(id)} is already in use: a foreign message may not replace a task's message`;
}
