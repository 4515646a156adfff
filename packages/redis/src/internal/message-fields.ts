import { DEFAULT_QUEUE } from '@celeriac/core';
import { type Delivery, MAX_PRIORITY, type TaskMessage, decodeTaskMessage, validateTaskMessage } from '@celeriac/core/adapter';
import type { BrokerKeys } from './keys.js';
import type { ScriptArg } from './scripts.js';

/** Score = priority rank * 2^48 + arrival seq: priority first, FIFO within it, exact in a double. */
export const PRIORITY_UNIT = 2 ** 48;

/** One message to store: where it goes and what it says. */
export interface StoredMessage {
  readonly message: TaskMessage;
  readonly raw: string;
  readonly queue: string;
  /** deliveries so far (kept across a hand-back) */
  readonly deliveries: number;
}

/** A message to publish, checked and encoded. */
export function storedMessage(m: TaskMessage, deliveries = 0): StoredMessage {
  const message = validateTaskMessage(m);
  return { message, raw: encodeStoredMessage(message), queue: message.queue, deliveries };
}

/**
 * A message as stored: compact, without what the store knows already. The id is the field it is
 * stored under (in `{p}:body`, a dead letter, a record's timeline), and the defaults (attempt 1,
 * queue `default`, priority 0) are left out. `createdAt` comes first, after `attempt` when that is
 * not 1, so scripts read them (for the STARTED record, and the PENDING record a waiting message
 * implies) with a pattern instead of decoding the whole message (see includes/impliedRecord.lua).
 * {@link decodeStoredMessage} puts back what is left out.
 */
export function encodeStoredMessage(message: TaskMessage): string {
  const { id: _id, attempt, createdAt, queue, priority, ...rest } = message;
  const head: Record<string, unknown> = attempt === 1 ? { createdAt } : { attempt, createdAt };
  if (queue !== DEFAULT_QUEUE) head.queue = queue;
  if (priority !== 0) head.priority = priority;
  return JSON.stringify(Object.assign(head, rest));
}

/**
 * The JSON of a stored message with its id and defaults in front: a key the stored text has
 * itself comes later and wins (JSON.parse keeps the last), so a whole message (a foreign
 * producer's, taken from an inbox) reads as it was. Anything but a JSON object is left as is.
 */
function withDefaults(raw: string, id: string): string {
  if (!raw.startsWith('{')) return raw;
  const head = `{"id":${JSON.stringify(id)},"attempt":1,"queue":"${DEFAULT_QUEUE}","priority":0`;
  return /^\{\s*\}/.test(raw) ? `${head}}` : `${head},${raw.slice(1)}`;
}

/** A stored message (see {@link encodeStoredMessage}) of the id it is stored under, checked: throws a MalformedMessageError. */
export function decodeStoredMessage(raw: string, id: string): TaskMessage {
  return decodeTaskMessage(withDefaults(raw, id));
}

/**
 * The queue of a stored message (compact or whole), or undefined when there is none or it does not
 * parse: read without checking the whole message, for a listing that filters by queue.
 */
export function storedQueue(raw: string | null | undefined): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  try {
    const message = JSON.parse(raw) as { queue?: unknown } | null;
    if (typeof message !== 'object' || message === null) return undefined;
    return message.queue === undefined ? DEFAULT_QUEUE : typeof message.queue === 'string' ? message.queue : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A stored message as whole JSON, for the raw text users see (a dead letter): a compact one
 * rebuilt, any other (a foreign message, malformed text) as it was.
 */
export function wholeMessageJson(raw: string, id: string): string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return raw;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || 'id' in value) return raw;
  try {
    return JSON.stringify(decodeStoredMessage(raw, id));
  } catch {
    return raw;
  }
}

/** `next` to store in place of `delivery`: a hand-back (same attempt) did not really run, so it does not count; a retry starts afresh. */
export function requeuedMessage(delivery: Delivery, next: TaskMessage): StoredMessage {
  const message = validateTaskMessage(next);
  const deliveries = message.attempt === delivery.message.attempt ? Math.max(0, delivery.deliveries - 1) : 0;
  return { message, raw: encodeStoredMessage(message), queue: message.queue, deliveries };
}

/** What the routes hash says of a queue: its delayed key and name (see includes/jobMeta.lua). */
export function routeJson(keys: BrokerKeys, queue: string): string {
  return JSON.stringify([keys.delayed(queue), queue]);
}

/** What the routes hash says of an inbox: no delayed key, and its queue. */
export function inboxRouteJson(queue: string): string {
  return JSON.stringify(['', queue]);
}

/** The 10 script arguments storing one message on its own (requeueJob, see includes/storeJob.lua). */
export function messageFields(keys: BrokerKeys, { message, raw, queue, deliveries }: StoredMessage): string[] {
  return [
    message.id,
    raw,
    keys.ready(queue, message.task),
    keys.delayed(queue),
    keys.readyKeys(queue),
    queue,
    String(MAX_PRIORITY - message.priority),
    message.eta === undefined ? '' : String(message.eta),
    String(deliveries),
    routeJson(keys, queue),
  ];
}

/** The publishJobs arguments after the priority unit: a route table, then the packed messages. */
export function publishArgs(keys: BrokerKeys, batch: readonly StoredMessage[]): ScriptArg[] {
  const routes = new Map<string, number>();
  const routeArgs: ScriptArg[] = [];
  let packed = '';
  for (const { message, raw, queue, deliveries } of batch) {
    const readyKey = keys.ready(queue, message.task);
    let route = routes.get(readyKey);
    if (route === undefined) {
      route = routes.size + 1;
      routes.set(readyKey, route);
      routeArgs.push(readyKey, keys.delayed(queue), keys.readyKeys(queue), queue, routeJson(keys, queue));
    }
    // Newline-free fields (see includes/packedFields.lua): the id as JSON, the raw message is JSON.
    packed += `${JSON.stringify(message.id)}\n${raw}\n${route}\n${MAX_PRIORITY - message.priority}\n${message.eta ?? ''}\n${deliveries}\n`;
  }
  return [routes.size, ...routeArgs, batch.length, packed];
}
