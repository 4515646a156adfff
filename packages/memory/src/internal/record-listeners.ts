import type { RecordListener } from '@celeriac/core/adapter';
import type { TaskRecord } from '@celeriac/core';

/** Calls each listener of an id with its new record. */
export function notify(listeners: RecordListener | Set<RecordListener>, record: TaskRecord): void {
  if (typeof listeners === 'function') return call(listeners, record);
  for (const listener of listeners) call(listener, record);
}

function call(listener: RecordListener, record: TaskRecord): void {
  try {
    listener(record);
  } catch {
    // A listener's bug must not undo or block the state change.
  }
}

/** Stored values are copies, so a caller mutating its object later cannot change history. */
export function copyJson<T>(value: T): T {
  return typeof value === 'object' && value !== null ? (JSON.parse(JSON.stringify(value)) as T) : value;
}
