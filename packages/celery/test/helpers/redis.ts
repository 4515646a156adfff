import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export const uniquePrefix = (label: string) => `t:${label}:${randomUUID().slice(0, 8)}:`;

/** Deletes every key under a prefix (a test's own deployment). */
export async function deleteKeys(admin: Redis, prefix: string): Promise<void> {
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length > 0) await admin.del(...keys);
}

/**
 * As if the holders of a deployment's deliveries died and the visibility timeout passed: their
 * lease tokens are gone (no heartbeat renews them) and their delivery times are in the past.
 */
export async function abandonDeliveries(admin: Redis, prefix: string): Promise<void> {
  await admin.del(`${prefix}celeriac.leases`);
  const tags = await admin.zrange(`${prefix}unacked_index`, '0', '-1');
  for (const tag of tags) await admin.zadd(`${prefix}unacked_index`, '0', tag);
}

/** A raw string as the body of an otherwise valid Celery message, as a foreign producer could push it. */
export function celeryEnvelopeAround(body: string, queue: string, task = 'test.noop'): string {
  const id = randomUUID();
  return JSON.stringify({
    body: Buffer.from(body).toString('base64'),
    'content-encoding': 'utf-8',
    'content-type': 'application/json',
    headers: { lang: 'py', task, id, retries: 0, eta: null, expires: null },
    properties: { correlation_id: id, delivery_mode: 2, delivery_info: { exchange: '', routing_key: queue }, priority: 0, body_encoding: 'base64', delivery_tag: randomUUID() },
  });
}
