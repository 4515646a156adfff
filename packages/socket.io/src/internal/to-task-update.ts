import { type TaskRecord, TaskStates } from '@celeriac/core';
import type { TaskInfo, TaskUpdate } from '../events.js';

/** A stored record in the wire shape, with Celery's `info`. */
export function toTaskUpdate(record: TaskRecord): TaskUpdate {
  return { id: record.id, state: record.state, info: infoOf(record), seq: record.seq };
}

function infoOf(record: TaskRecord): TaskInfo {
  if (record.state === TaskStates.SUCCESS) return record.result ?? null;
  if (record.state === TaskStates.FAILURE) {
    // Only type and message: a stack (or an error's extra fields) may reveal server internals.
    const error = record.error ?? { type: 'Error', message: 'unknown failure' };
    return { type: error.type, message: error.message };
  }
  return record.meta ?? null;
}
