import { type Delivery, MAX_PRIORITY, type TaskMessage, validateTaskMessage } from '@celeriac/core/adapter';
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
 * A message as stored: its JSON with `attempt` and `createdAt` first, so scripts read them (for the
 * STARTED record, and the PENDING record a waiting message implies) with a pattern instead of
 * decoding the whole message (see includes/impliedRecord.lua).
 */
export function encodeStoredMessage(message: TaskMessage): string {
  // Keys keep the place where they were first set: `attempt` and `createdAt` stay at the front.
  return JSON.stringify(Object.assign({ attempt: message.attempt, createdAt: message.createdAt }, message));
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
