import { MalformedMessageError } from '../errors/malformed-message-error.js';
import { MAX_MESSAGE_SIZE_CEILING, MAX_NESTING_DEPTH_CEILING } from '../constants.js';
import { inspectJson } from '../internal/json-check.js';

/** A task to run later, as part of a workflow (chain link, chord callback, error callback). */
export interface TaskStep {
  /** Assigned up front, so the workflow's results can be followed before the step runs. */
  id: string;
  task: string;
  args: unknown[];
  queue: string;
  priority: number;
  /** Chain links and chord callbacks get the previous result as their first argument. */
  passResult: boolean;
}

/**
 * A chain link that is a group (a chain of groups, a chord inside a chain): its members start
 * together once the link before it succeeds (a member step with `passResult` gets that result),
 * and the link after it, always a task, gets the list of their results.
 */
export interface GroupStep {
  /** The group's id. */
  group: string;
  /** Each member as the steps of its own chain, first to last (one step for a plain task). */
  members: TaskStep[][];
}

/** A link of a chain: a task, or a group of tasks and chains. */
export type ChainStep = TaskStep | GroupStep;

/** Membership of a chord's header group. */
export interface ChordLink {
  groupId: string;
  /** The ids whose results the callback gets, in group order: each member's last step. */
  members: string[];
  callback: TaskStep;
  /** The links after the callback, when the chord is part of a chain. */
  chain?: ChainStep[];
  /** The error callbacks of that chain. */
  errbacks?: TaskStep[];
}

/** Whether a chain link is a group. */
export function isGroupStep(step: ChainStep): step is GroupStep {
  return (step as Partial<GroupStep>).group !== undefined;
}

/** Every task step of chain links, group members' included: what fails when the chain does. */
export function flattenSteps(steps: readonly ChainStep[]): TaskStep[] {
  return steps.flatMap((s) => (isGroupStep(s) ? s.members.flat() : [s]));
}

/**
 * Whether a message carries a workflow: something to do after it ends (the rest of a chain, error
 * callbacks, a chord to report to). A store keeps such a message on `revoke`, so the follow-ups are
 * never lost with it.
 */
export function carriesWorkflow(message: Pick<TaskMessage, 'chain' | 'errbacks' | 'chord'>): boolean {
  return message.chain !== undefined || message.errbacks !== undefined || message.chord !== undefined;
}

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
  /** Steps to run, in order, after this one succeeds: the rest of a chain. */
  chain?: ChainStep[];
  /** Run after this task (or a later link of its chain) fails, with `{ taskId, error }` as their first argument when they have `passResult`. */
  errbacks?: TaskStep[];
  /** Set on the members of a chord's group. */
  chord?: ChordLink;
  /** The group this task belongs to, if any. */
  groupId?: string;
  /**
   * The producer's trace context (W3C Trace Context), set only when a tracer is configured
   * (`CeleriacOptions.tracing`) and its span is sampled: the worker's span continues that trace.
   */
  trace?: TraceContext;
}

/** W3C Trace Context headers carried by a message (https://www.w3.org/TR/trace-context/). */
export interface TraceContext {
  traceparent: string;
  tracestate?: string;
}

/** W3C bounds: `traceparent` is 55 characters in version 00; `tracestate` at most 512. */
const MAX_TRACE_HEADER = 512;

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
  // Whoever produced it (a foreign producer need not have checked): too large or too deep to
  // handle safely is malformed. An app's own messages stay under these (see CeleriacOptions).
  if (raw.length > MAX_MESSAGE_SIZE_CEILING + MESSAGE_OVERHEAD) throw new MalformedMessageError(`larger than ${MAX_MESSAGE_SIZE_CEILING + MESSAGE_OVERHEAD} characters`);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new MalformedMessageError(`not valid JSON (${(error as Error).message})`);
  }
  // The message object and its args list come before the arguments' own containers; workflow steps nest a little further.
  const tooDeep = inspectJson(value, '$', { maxDepth: MAX_NESTING_DEPTH_CEILING + MESSAGE_DEPTH, maxSize: Number.POSITIVE_INFINITY });
  if (tooDeep?.kind === 'depth') throw new MalformedMessageError(tooDeep.message);
  return validateTaskMessage(value);
}

/** Room for a message's own fields and workflow steps around arguments at the ceilings. */
const MESSAGE_OVERHEAD = 1024 * 1024;
const MESSAGE_DEPTH = 6;

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
  if (m.chain !== undefined && !(Array.isArray(m.chain) && m.chain.every(isChainStep))) fail('chain', 'an array of task or group steps');
  if (m.errbacks !== undefined && !(Array.isArray(m.errbacks) && m.errbacks.every(isStep))) fail('errbacks', 'an array of task steps');
  if (m.chord !== undefined && !isChordLink(m.chord)) fail('chord', 'a chord link { groupId, members, callback }');
  if (m.groupId !== undefined && typeof m.groupId !== 'string') fail('groupId', 'a string');
  if (m.trace !== undefined && !isTraceContext(m.trace)) fail('trace', `a trace context { traceparent, tracestate? } of strings up to ${MAX_TRACE_HEADER} characters`);
  return value as TaskMessage;
}

function isTraceContext(value: unknown): value is TraceContext {
  const t = value as Partial<TraceContext> | null;
  const header = (h: unknown) => typeof h === 'string' && h.length <= MAX_TRACE_HEADER;
  return typeof t === 'object' && t !== null && header(t.traceparent) && (t.tracestate === undefined || header(t.tracestate));
}

function isStep(value: unknown): value is TaskStep {
  const s = value as Partial<TaskStep> | null;
  return (
    typeof s === 'object' && s !== null && typeof s.id === 'string' && typeof s.task === 'string' && Array.isArray(s.args) &&
    typeof s.queue === 'string' && Number.isInteger(s.priority) && typeof s.passResult === 'boolean'
  );
}

function isChainStep(value: unknown): value is ChainStep {
  if (isStep(value)) return true;
  const g = value as Partial<GroupStep> | null;
  return (
    typeof g === 'object' && g !== null && typeof g.group === 'string' && Array.isArray(g.members) && g.members.length > 0 &&
    g.members.every((m) => Array.isArray(m) && m.length > 0 && m.every(isStep))
  );
}

function isChordLink(value: unknown): value is ChordLink {
  const c = value as Partial<ChordLink> | null;
  return (
    typeof c === 'object' && c !== null && typeof c.groupId === 'string' && Array.isArray(c.members) && c.members.every((m) => typeof m === 'string') && isStep(c.callback) &&
    (c.chain === undefined || (Array.isArray(c.chain) && c.chain.every(isChainStep))) && (c.errbacks === undefined || (Array.isArray(c.errbacks) && c.errbacks.every(isStep)))
  );
}
