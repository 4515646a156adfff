import { type TaskMessage, checkInboxMessage, idInUseReason } from '@celeriac/core/adapter';

/**
 * A raw message from a foreign producer, checked before it joins its queue (`checkInboxMessage`),
 * and its id not in use. Returns the message, or why it goes to the dead-letter queue instead.
 */
export function admitInboxMessage(raw: string, inUse: (id: string) => boolean): { message: TaskMessage } | { reason: string } {
  const checked = checkInboxMessage(raw);
  if ('message' in checked && inUse(checked.message.id)) return { reason: idInUseReason(checked.message.id) };
  return checked;
}

/** A message with its own copy of the arguments (they were checked to be JSON when enqueued). */
export function copyMessage(message: TaskMessage): TaskMessage {
  return { ...message, args: message.args.length === 0 ? [] : (JSON.parse(JSON.stringify(message.args)) as unknown[]) };
}
