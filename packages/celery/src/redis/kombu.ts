import { randomUUID } from 'node:crypto';
import { MalformedMessageError } from '@celeriac/core';
import type { CeleryTask } from '../protocol/message.js';

/** kombu's separator between a queue name and its priority step (`celery\x06\x163`). */
export const PRIORITY_SEPARATOR = '\x06\x16';
/** kombu's default `priority_steps`. */
export const KOMBU_PRIORITY_STEPS: readonly number[] = [0, 3, 6, 9];

/** A message as kombu's Redis transport stores it in a queue list. */
export interface KombuEnvelope {
  body: string;
  'content-encoding': string;
  'content-type': string;
  headers: Record<string, unknown>;
  properties: {
    correlation_id: string;
    delivery_mode: number;
    delivery_info: { exchange: string; routing_key: string };
    priority: number;
    body_encoding: 'base64';
    delivery_tag: string;
    [other: string]: unknown;
  };
}

/**
 * Celery over Redis serves priority 0 first (kombu's lists are read step 0, 3, 6, 9), Celeriac
 * serves 9 first: the scales are each other's mirror, so Celeriac's `p` travels as `9 - p`.
 */
export function kombuPriority(celeriacPriority: number): number {
  return 9 - celeriacPriority;
}

/** The list a kombu priority goes to: the queue itself for step 0, else `queue\x06\x16<step>`. */
export function queueList(queue: string, kombuPri: number, steps: readonly number[]): string {
  let step = steps[0] ?? 0;
  for (const s of steps) if (s <= kombuPri) step = s;
  return step === 0 ? queue : `${queue}${PRIORITY_SEPARATOR}${step}`;
}

/** Every list of a queue, in kombu's serving order. */
export function queueLists(queue: string, steps: readonly number[]): string[] {
  return steps.map((step) => (step === 0 ? queue : `${queue}${PRIORITY_SEPARATOR}${step}`));
}

/** A Celery task message in kombu's envelope: body base64, the default exchange, a fresh delivery tag. */
export function toEnvelope(task: CeleryTask, queue: string, kombuPri: number): string {
  const envelope: KombuEnvelope = {
    body: Buffer.from(task.body, 'utf8').toString('base64'),
    'content-encoding': task.contentEncoding,
    'content-type': task.contentType,
    headers: task.headers,
    properties: {
      correlation_id: task.headers.id,
      delivery_mode: 2,
      delivery_info: { exchange: '', routing_key: queue },
      priority: kombuPri,
      body_encoding: 'base64',
      delivery_tag: randomUUID(),
    },
  };
  return JSON.stringify(envelope);
}

/** The parts of an envelope the codec reads. Throws a `MalformedMessageError` with the reason. */
export function fromEnvelope(raw: string): { headers: Record<string, unknown>; body: string; contentType: string | undefined; kombuPriority: number } {
  let envelope: Partial<KombuEnvelope>;
  try {
    envelope = JSON.parse(raw) as Partial<KombuEnvelope>;
  } catch (error) {
    throw new MalformedMessageError(`not valid JSON (${(error as Error).message})`);
  }
  const body = envelope.body;
  if (typeof body !== 'string') throw new MalformedMessageError('no body');
  const encoding = envelope.properties?.body_encoding;
  const text = encoding === 'base64' ? Buffer.from(body, 'base64').toString('utf8') : body;
  const priority = envelope.properties?.priority;
  return {
    headers: envelope.headers ?? {},
    body: text,
    contentType: envelope['content-type'],
    kombuPriority: typeof priority === 'number' && priority >= 0 && priority <= 9 ? Math.round(priority) : 0,
  };
}

/** The same envelope with new headers and a new delivery tag (a requeued dead letter, a retry). */
export function withHeaders(raw: string, headers: Record<string, unknown>): string {
  const envelope = JSON.parse(raw) as KombuEnvelope;
  envelope.headers = { ...envelope.headers, ...headers };
  envelope.properties = { ...envelope.properties, delivery_tag: randomUUID() };
  return JSON.stringify(envelope);
}
