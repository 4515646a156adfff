import { randomUUID } from 'node:crypto';
import type { TaskMessage } from '@celeriac/core/adapter';
import type { Message, Options } from 'amqplib';
import { int32Headers } from '../codec.js';
import type { ResolvedAmqpOptions } from '../options.js';
import type { Session } from './session.js';
import type { Topology } from './topology.js';

/** The `app-id` of messages this package published; any other is a foreign producer's, checked on arrival. */
export const APP_ID = 'celeriac';

/** Header carrying deliveries already made of a task handed back unstarted (they still count). */
export const PRIOR_HEADER = 'x-celeriac-prior';

/** The key a message's delivery count is kept under: its publish's id, else its task id and attempt. */
export function countKey(message: Message, task: TaskMessage | undefined): string {
  const id = message.properties.messageId as string | undefined;
  if (typeof id === 'string' && id !== '') return id;
  return task === undefined ? `raw:${message.fields.deliveryTag}` : `${task.id}:${task.attempt}`;
}

/** Encodes and publishes task messages: ready ones to their queue, later ones into the delay cascade. */
export class Publisher {
  constructor(
    private readonly options: ResolvedAmqpOptions,
    private readonly topology: Topology,
  ) {}

  /** Resolves once RabbitMQ has confirmed every message. `prior`: deliveries that still count. */
  async publish(session: Session, messages: readonly TaskMessage[], prior = 0): Promise<void> {
    const now = Date.now();
    const sends: Promise<void>[] = [];
    for (const message of messages) {
      const encoded = this.options.codec.encode(message);
      const headers: Record<string, unknown> = { ...encoded.headers };
      if (prior > 0) headers[PRIOR_HEADER] = prior;
      const props = defined({
        persistent: true,
        appId: APP_ID,
        messageId: randomUUID(),
        priority: message.priority,
        contentType: encoded.contentType,
        contentEncoding: encoded.contentEncoding,
        correlationId: encoded.correlationId,
        replyTo: encoded.replyTo,
        headers: int32Headers(headers),
      });
      const queue = await this.topology.ensureQueue(session, message.queue);
      if (message.eta !== undefined && message.eta > now) {
        await this.topology.ensureDelays(session, message.queue);
        const route = this.topology.delayRoute(message.queue, message.eta - now);
        sends.push(session.publish(route.exchange, route.routingKey, encoded.body, props));
      } else {
        sends.push(session.publish('', queue, encoded.body, props));
      }
    }
    await Promise.all(sends);
  }

  /** Sends a message as it was received (a raw or foreign one) back to a queue. */
  async publishRaw(session: Session, queue: string, message: Message, extraHeaders: Record<string, unknown> = {}): Promise<void> {
    const work = await this.topology.ensureQueue(session, queue);
    await session.publish('', work, message.content, rawProperties(message, extraHeaders));
  }
}

/** The properties of a received message, for publishing it again (to the dead-letter exchange, or back). */
export function rawProperties(message: Message, extraHeaders: Record<string, unknown>): Options.Publish {
  const p = message.properties;
  const headers = { ...(p.headers as Record<string, unknown> | undefined), ...extraHeaders };
  delete headers['x-death']; // RabbitMQ's record of the delay hops: not the message's own
  return defined({
    persistent: true,
    messageId: randomUUID(),
    priority: p.priority as number | undefined,
    contentType: p.contentType as string | undefined,
    contentEncoding: p.contentEncoding as string | undefined,
    correlationId: p.correlationId as string | undefined,
    replyTo: p.replyTo as string | undefined,
    headers: int32Headers(headers),
  });
}

/** The properties that have a value (amqplib's types do not take `undefined`). */
function defined(props: { [K in keyof Options.Publish]: Options.Publish[K] | undefined }): Options.Publish {
  return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined)) as Options.Publish;
}
