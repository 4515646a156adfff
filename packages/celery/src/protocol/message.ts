import { hostname } from 'node:os';
import { type ChainStep, type TaskMessage, type TaskStep, validateTaskMessage } from '@celeriac/core/adapter';
import { MalformedMessageError } from '@celeriac/core';
import { findNonJson, parsePythonJson } from './python-json.js';
import { formatCeleryTime, parseCeleryTime } from './time.js';
import { mapKwargs, type ParameterNames } from './kwargs.js';
import { type CeleryCall, type CeleryEmbed, celeryChordOf, fromCeleryEmbed, readCeleryChord, toCeleryEmbed, withCeleryCall } from './embed.js';

export { type CeleryCall, celeryCall, withCeleryCall } from './embed.js';

/** The headers of a Celery protocol 2 task message. */
export interface CeleryHeaders {
  lang: string;
  task: string;
  id: string;
  shadow: string | null;
  eta: string | null;
  expires: string | null;
  group: string | null;
  group_index: number | null;
  retries: number;
  timelimit: [number | null, number | null];
  root_id: string;
  parent_id: string | null;
  argsrepr: string;
  kwargsrepr: string;
  origin: string;
  ignore_result: boolean;
  /** Celeriac's own workflow fields, which Celery's `embed` cannot hold (Celery ignores unknown headers). */
  x_celeriac?: CeleriacWorkflow;
  [other: string]: unknown;
}

/** What of a Celeriac message has no place in Celery's format, carried in the `x_celeriac` header. */
export interface CeleriacWorkflow {
  createdAt: number;
  chain?: ChainStep[];
  errbacks?: TaskStep[];
  chord?: TaskMessage['chord'];
  groupId?: string;
}


/** A task message in Celery's terms, before a transport wraps it (a kombu envelope, AMQP properties). */
export interface CeleryTask {
  headers: CeleryHeaders;
  /** The JSON text of `[args, kwargs, embed]`. */
  body: string;
  contentType: 'application/json';
  contentEncoding: 'utf-8';
}

/** Options of {@link encodeCeleryTask}. */
export interface EncodeOptions {
  /** The `origin` header (Celery puts `gen<pid>@<host>` there). */
  origin?: string;
}

const ORIGIN = `node${process.pid}@${hostname()}`;

/**
 * A Celeriac message as a Celery protocol 2 message (JSON serializer): arguments positional,
 * `retries` = attempt − 1, `eta` / `expires` with six fraction digits, a chain of plain tasks as
 * Celery's `embed.chain` (so a Python worker continues it), and what Celery has no place for in
 * the `x_celeriac` header. The priority is the transport's (Redis and AMQP order it differently).
 */
export function encodeCeleryTask(message: TaskMessage, options: EncodeOptions = {}): CeleryTask {
  const workflow: CeleriacWorkflow = { createdAt: message.createdAt };
  if (message.chain !== undefined) workflow.chain = message.chain;
  if (message.errbacks !== undefined) workflow.errbacks = message.errbacks;
  if (message.chord !== undefined) workflow.chord = message.chord;
  if (message.groupId !== undefined) workflow.groupId = message.groupId;
  const embed: CeleryEmbed = toCeleryEmbed(message);
  const chord = celeryChordOf(message);
  const headers: CeleryHeaders = {
    lang: 'py',
    task: message.task,
    id: message.id,
    shadow: null,
    eta: message.eta === undefined ? null : formatCeleryTime(message.eta),
    expires: message.expires === undefined ? null : formatCeleryTime(message.expires),
    group: chord?.group ?? message.groupId ?? null,
    group_index: chord?.index ?? null,
    retries: message.attempt - 1,
    timelimit: [null, null],
    root_id: message.id,
    parent_id: null,
    argsrepr: repr(message.args),
    kwargsrepr: '{}',
    origin: options.origin ?? ORIGIN,
    ignore_result: false,
    x_celeriac: workflow,
  };
  return { headers, body: JSON.stringify([message.args, {}, embed]), contentType: 'application/json', contentEncoding: 'utf-8' };
}

/** Options of {@link decodeCeleryTask}. */
export interface DecodeOptions {
  /** The queue it was read from. */
  queue: string;
  /** Its priority on Celeriac's scale (0 to 9, higher first), as the transport maps it. */
  priority: number;
  contentType: string | undefined;
  /** Parameter names per task, to map keyword arguments onto positions. */
  parameters?: ParameterNames;
  /**
   * The store counts Celery chords on Celery's Redis result backend (the Celery Redis store): a
   * chord member's chord is read in Celery's form (the message's `celery.chord`), whoever sent it.
   * Otherwise a Python chord member is refused, and a Celeriac one follows `x_celeriac`.
   */
  chords?: boolean;
  now?: number;
}

/**
 * A Celery protocol 2 message as a Celeriac message. Refuses (a `MalformedMessageError` whose
 * reason the broker dead-letters it with) what cannot be mapped without guessing: a serializer
 * other than JSON (pickle), protocol 1, keyword arguments the task declares no names for, values
 * JSON cannot carry (NaN, integers past 2^53), Celery chords where the store does not count them
 * (see DecodeOptions.chords), what fromCeleryEmbed refuses. The call as
 * sent rides along as the message's `celery` property (see celeryCall).
 */
export function decodeCeleryTask(headers: Record<string, unknown>, body: string, options: DecodeOptions): TaskMessage {
  if (options.contentType !== 'application/json') {
    throw new MalformedMessageError(`content type ${JSON.stringify(options.contentType)}: only Celery's JSON serializer can be read (configure task_serializer = "json"; pickle is never accepted)`);
  }
  const task = headers.task;
  const id = headers.id;
  if (typeof task !== 'string' || typeof id !== 'string') throw new MalformedMessageError('no "task" and "id" headers: not a Celery protocol 2 message (protocol 1 is not supported)');
  let decoded: unknown;
  try {
    decoded = parsePythonJson(body);
  } catch (error) {
    throw new MalformedMessageError(`body is not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(decoded) || decoded.length !== 3 || !Array.isArray(decoded[0]) || !isObject(decoded[1])) {
    throw new MalformedMessageError('body must be [args, kwargs, embed] with args a list and kwargs an object');
  }
  const [positional, kwargs, embed] = decoded as [unknown[], Record<string, unknown>, unknown];
  const nonJson = findNonJson(positional, 'args') ?? findNonJson(kwargs, 'kwargs');
  if (nonJson !== null) throw new MalformedMessageError(`${task}: ${nonJson}`);
  const args = mapKwargs(task, positional, kwargs, options.parameters);
  const workflow = isObject(headers.x_celeriac) ? (headers.x_celeriac as unknown as CeleriacWorkflow) : undefined;
  const message: Record<string, unknown> = {
    id,
    task,
    args,
    queue: options.queue,
    priority: options.priority,
    attempt: (typeof headers.retries === 'number' ? headers.retries : 0) + 1,
    createdAt: workflow?.createdAt ?? options.now ?? Date.now(),
  };
  if (typeof headers.eta === 'string') message.eta = time(headers.eta, 'eta');
  if (typeof headers.expires === 'string') message.expires = time(headers.expires, 'expires');
  const call: CeleryCall = { args: positional, kwargs };
  const chord = readCeleryChord(task, headers, embed, workflow === undefined && options.chords !== true);
  if (chord !== undefined && options.chords === true) call.chord = chord;
  if (workflow !== undefined) {
    // A Celeriac chord keeps its own link too: a revoke ends it, and Celeriac workers count it
    // both ways (the callback is called once, see CeleryChords).
    for (const field of ['chain', 'errbacks', 'chord', 'groupId'] as const) if (workflow[field] !== undefined) message[field] = workflow[field];
  } else Object.assign(message, fromCeleryEmbed(id, task, embed));
  return withCeleryCall(validateTaskMessage(message), call);
}

function time(text: string, field: string): number {
  try {
    return parseCeleryTime(text);
  } catch (error) {
    throw new MalformedMessageError(`header "${field}": ${(error as Error).message}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short, Python-like rendering of the arguments for `argsrepr` (what Flower and logs show). */
function repr(args: unknown[]): string {
  const text = JSON.stringify(args);
  const inner = text.length > 1024 ? `${text.slice(1, 1020)}...` : text.slice(1, -1);
  return `(${inner}${args.length === 1 ? ',' : ''})`;
}
