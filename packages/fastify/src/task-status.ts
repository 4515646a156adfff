import { TaskStates, type TaskRecord } from '@celeriac/core';
import type { TaskStatus } from './wire-types.js';

/** The seed's PENDING answer, word for word. */
const PENDING_STATUS = 'Pending...';
/** The seed's tasks end with this status; used when a result does not bring its own. */
const COMPLETED_STATUS = 'Task completed!';

/**
 * A task record in the seed's `/status` shape `{ state, current, total, status }`:
 * - PENDING: `current: 0, total: 1, status: 'Pending...'`.
 * - Running states (RECEIVED, STARTED, PROGRESS and other user states): `current`, `total` and
 *   `status` from the latest progress meta (`ctx.progress(current, total, status)`), defaulting to
 *   0, 1 and `''` as the seed does.
 * - SUCCESS: when the result is an object with a `result` key (the seed's tasks return
 *   `{ current, total, status, result }`), that object gives `current`/`total`/`status` and its
 *   `result` is lifted; any other value is the `result` itself, with `current = total = 1` and
 *   `status: 'Task completed!'`. A task that returned nothing has `result: null`.
 * - FAILURE: `current = total = 1`, `status: '<Type>: <message>'` and `error: { type, message, code? }`
 *   (never the stack: it would leak server paths).
 * - RETRY: `status: 'Retrying after <Type>: <message>'`; REVOKED: `status: 'Revoked'` or
 *   `'Revoked (expired)'`.
 */
export function toTaskStatus(record: TaskRecord): TaskStatus {
  const { state } = record;
  switch (state) {
    case TaskStates.PENDING:
      return { state, current: 0, total: 1, status: PENDING_STATUS };
    case TaskStates.SUCCESS:
      return successStatus(record);
    case TaskStates.FAILURE: {
      const error = record.error ?? { type: 'Error', message: 'unknown failure' };
      return {
        state,
        current: 1,
        total: 1,
        status: `${error.type}: ${error.message}`,
        error: { type: error.type, message: error.message, ...(error.code === undefined ? {} : { code: error.code }) },
      };
    }
    case TaskStates.RETRY: {
      const cause = record.error === undefined ? '' : ` after ${record.error.type}: ${record.error.message}`;
      return { state, current: 0, total: 1, status: `Retrying${cause}` };
    }
    case TaskStates.REVOKED: {
      const reason = record.meta?.reason;
      const status = typeof reason === 'string' && reason !== 'revoked' ? `Revoked (${reason})` : 'Revoked';
      return { state, current: 0, total: 1, status };
    }
    default:
      return { state, ...progressOf(record.meta, 0, '') };
  }
}

function successStatus(record: TaskRecord): TaskStatus {
  const value = record.result;
  if (isPlainObject(value) && Object.hasOwn(value, 'result')) {
    const { current, total, status } = progressOf(value, undefined, COMPLETED_STATUS);
    return { state: record.state, current, total, status, result: value.result ?? null };
  }
  return { state: record.state, current: 1, total: 1, status: COMPLETED_STATUS, result: value ?? null };
}

/** `current` falls back to `total` when `defaultCurrent` is undefined (a finished task is complete). */
function progressOf(meta: Record<string, unknown> | undefined, defaultCurrent: number | undefined, defaultStatus: string) {
  const total = finite(meta?.total) ?? 1;
  return {
    current: finite(meta?.current) ?? defaultCurrent ?? total,
    total,
    status: typeof meta?.status === 'string' ? meta.status : defaultStatus,
  };
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
