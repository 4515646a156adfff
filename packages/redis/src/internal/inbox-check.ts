import { type TaskMessage, decodeTaskMessage } from '@celeriac/core/adapter';
import { TASK_ID_PATTERN } from '@celeriac/core';

/**
 * What a worker checks of a raw inbox message before it asks Redis to admit it: a valid message
 * whose id follows the API's own rule (TASK_ID_PATTERN), so a foreign producer cannot use ids no
 * caller could. Whether the id is in use is checked by the admission script, atomically.
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
