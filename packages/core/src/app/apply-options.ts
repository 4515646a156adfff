import { type JsonLimits, inspectJson } from '../internal/json-check.js';
import { SerializationError } from '../errors/serialization-error.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { MessageTooLargeError } from '../errors/message-too-large-error.js';
import type { TaskMessage } from '../contracts/message.js';
import type { ApplyOptions } from './handle-types.js';
import type { ResolvedTaskOptions } from '../options/task-options.js';
import { DEFAULT_TASK_OPTIONS, optionChecker, show } from '../options/task-options.js';

const KNOWN = new Set(['countdown', 'eta', 'expires', 'priority', 'queue', 'taskId', 'partitionKey']);
/** Longest `partitionKey`: it is hashed, never stored, but a key this long is a mistake. */
const MAX_PARTITION_KEY = 1_000;

export interface ResolvedApply {
  taskId: string | undefined;
  partitionKey: string | undefined;
  queue: string;
  priority: number;
  eta: number | undefined;
  expires: number | undefined;
}

/** Validates per-call options against the task's own, giving absolute times. */
export function resolveApplyOptions(
  taskName: string,
  options: ApplyOptions | undefined,
  defaults: ResolvedTaskOptions | undefined,
  now: number,
): ResolvedApply {
  // The common call, delay(...args), has no options: skip building the checker.
  if (options === undefined) {
    return {
      taskId: undefined,
      partitionKey: undefined,
      queue: defaults?.queue ?? DEFAULT_TASK_OPTIONS.queue,
      priority: defaults?.priority ?? DEFAULT_TASK_OPTIONS.priority,
      eta: undefined,
      expires: defaults?.expires === undefined ? undefined : now + defaults.expires,
    };
  }
  return resolveGivenOptions(taskName, options, defaults, now);
}

function resolveGivenOptions(
  taskName: string,
  options: ApplyOptions,
  defaults: ResolvedTaskOptions | undefined,
  now: number,
): ResolvedApply {
  const check = optionChecker(`applyAsync() of ${taskName}`);
  const o = options;
  if (typeof o !== 'object' || o === null) check.fail('options', `must be an object, got ${show(o)}`);
  check.unknownKeys(o, KNOWN);
  if (o.countdown !== undefined && o.eta !== undefined) check.fail('countdown', 'cannot be combined with eta: give one of them');
  if (o.partitionKey !== undefined && o.taskId !== undefined) {
    check.fail('partitionKey', 'cannot be combined with taskId: the id is made from the key (give an id of the form "<8 hex digits>:<rest>" to place it yourself)');
  }
  let eta: number | undefined;
  if (o.countdown !== undefined) {
    if (typeof o.countdown !== 'number' || !Number.isFinite(o.countdown) || o.countdown < 0) {
      check.fail('countdown', `must be a non-negative number of milliseconds, got ${show(o.countdown)}`);
    }
    eta = o.countdown > 0 ? now + o.countdown : undefined;
  } else if (o.eta !== undefined) {
    eta = toTime(o.eta, 'eta', check.fail);
  }
  let expires: number | undefined;
  if (o.expires !== undefined) {
    expires = o.expires instanceof Date ? toTime(o.expires, 'expires', check.fail) : now + check.positiveMs('expires', o.expires);
  } else if (defaults?.expires !== undefined) {
    expires = now + defaults.expires;
  }
  return {
    taskId: o.taskId === undefined ? undefined : checkTaskId(o.taskId, check.fail),
    partitionKey: o.partitionKey === undefined ? undefined : checkPartitionKey(o.partitionKey, check.fail),
    queue: o.queue === undefined ? (defaults?.queue ?? DEFAULT_TASK_OPTIONS.queue) : check.name('queue', o.queue),
    priority: o.priority === undefined ? (defaults?.priority ?? DEFAULT_TASK_OPTIONS.priority) : check.priority('priority', o.priority),
    eta,
    expires,
  };
}

/** Arguments must be an array that survives JSON as is, within the app's size and depth limits. */
export function checkArgs(name: string, args: unknown, label: string, limits: JsonLimits): asserts args is unknown[] {
  if (!Array.isArray(args)) throw new SerializationError(`The arguments of ${name}`, `${label}must be an array`);
  const problem = inspectJson(args, 'args', limits);
  if (problem === undefined) return;
  if (problem.kind === 'size') throw new MessageTooLargeError(`The arguments of ${name}${label === '' ? '' : ` (${label.slice(0, -2)})`}`, limits.maxSize);
  throw new SerializationError(`The arguments of ${name}`, `${label}${problem.message}`);
}

/** The message of one call, its arguments already checked. */
export function newMessage(id: string, task: string, args: unknown[], resolved: ResolvedApply, now: number): TaskMessage {
  const message: TaskMessage = { id, task, args, queue: resolved.queue, priority: resolved.priority, attempt: 1, createdAt: now };
  if (resolved.eta !== undefined) message.eta = resolved.eta;
  if (resolved.expires !== undefined) message.expires = resolved.expires;
  return message;
}

/** Ids travel in URLs and storage keys: keep them to a safe alphabet. */
export const TASK_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

function checkTaskId(value: unknown, fail: (option: string, problem: string) => never): string {
  if (typeof value !== 'string' || !TASK_ID_PATTERN.test(value)) {
    fail('taskId', `must be 1-128 characters of letters, digits and _ . : -, got ${show(value)}`);
  }
  return value as string;
}

function checkPartitionKey(value: unknown, fail: (option: string, problem: string) => never): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PARTITION_KEY) {
    fail('partitionKey', `must be a string of 1 to ${MAX_PARTITION_KEY} characters, got ${show(value)}`);
  }
  return value as string;
}

function toTime(value: unknown, option: string, fail: (option: string, problem: string) => never): number {
  const time = value instanceof Date ? value.getTime() : value;
  if (typeof time !== 'number' || !Number.isFinite(time)) fail(option, `must be a Date or a timestamp in ms, got ${show(value)}`);
  return time as number;
}

/** A `bulk()`'s options, checked with its list: an array of argument arrays, and no `taskId` shared by several calls. */
export function resolveBulkOptions(name: string, argsList: unknown, apply: ApplyOptions | undefined, defaults: ResolvedTaskOptions | undefined, now: number): ResolvedApply {
  if (!Array.isArray(argsList)) throw new SerializationError(`The arguments of ${name}`, 'bulk() takes an array of argument arrays');
  const resolved = resolveApplyOptions(name, apply, defaults, now);
  if (resolved.taskId !== undefined && argsList.length > 1) throw new InvalidOptionError(`bulk() of ${name}`, 'taskId', 'cannot be shared by several tasks');
  return resolved;
}

/** An id given for a task is taken (the store refused its PENDING). */
export function idInUse(name: string, id: string): InvalidOptionError {
  return new InvalidOptionError(`applyAsync() of ${name}`, 'taskId', `"${id}" is already in use: give a new id or omit it`);
}
