import { MalformedMessageError } from '../errors/malformed-message-error.js';

/** What travels through the broker for one task run. JSON only: never code. */
export interface TaskMessage {
  /** The task id (also the result id). */
  id: string;
  /** The registered task name. */
  task: string;
  args: unknown[];
  queue: string;
  /** 0 (default) to 9; higher runs first. */
  priority: number;
  /** Do not deliver before this time (ms since the epoch); set from `countdown`/`eta` and by retries. */
  eta?: number;
  /** Do not run after this time (ms since the epoch): the task becomes REVOKED (reason `expired`). */
  expires?: number;
  /** 1 for the first run; incremented by each retry. */
  attempt: number;
  /** When the task was first requested (ms since the epoch). */
  createdAt: number;
}

export const MAX_PRIORITY = 9;

/** Serializes a message for brokers that store strings. */
export function encodeTaskMessage(message: TaskMessage): string {
  return JSON.stringify(message);
}

/**
 * Parses and validates a stored message. Throws a {@link MalformedMessageError} with the reason,
 * which brokers record in the dead-letter queue.
 */
export function decodeTaskMessage(raw: string): TaskMessage {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new MalformedMessageError(`not valid JSON (${(error as Error).message})`);
  }
  return validateTaskMessage(value);
}

export function validateTaskMessage(value: unknown): TaskMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedMessageError('expected a JSON object');
  }
  const m = value as Record<string, unknown>;
  const fail = (field: string, expected: string): never => {
    throw new MalformedMessageError(`field "${field}" must be ${expected}, got ${JSON.stringify(m[field]) ?? 'nothing'}`);
  };
  if (typeof m.id !== 'string' || m.id.length === 0) fail('id', 'a non-empty string');
  if (typeof m.task !== 'string' || m.task.length === 0) fail('task', 'a non-empty string');
  if (!Array.isArray(m.args)) fail('args', 'an array');
  if (typeof m.queue !== 'string' || m.queue.length === 0) fail('queue', 'a non-empty string');
  if (!Number.isInteger(m.priority) || (m.priority as number) < 0 || (m.priority as number) > MAX_PRIORITY) {
    fail('priority', `an integer from 0 to ${MAX_PRIORITY}`);
  }
  if (m.eta !== undefined && !Number.isFinite(m.eta)) fail('eta', 'a timestamp in ms');
  if (m.expires !== undefined && !Number.isFinite(m.expires)) fail('expires', 'a timestamp in ms');
  if (!Number.isInteger(m.attempt) || (m.attempt as number) < 1) fail('attempt', 'an integer >= 1');
  if (!Number.isFinite(m.createdAt)) fail('createdAt', 'a timestamp in ms');
  return value as TaskMessage;
}
