import { randomUUID } from 'node:crypto';
import type { DeadLetter, TaskMessage } from '@celeriac/core/adapter';
import { TASK_ID_PATTERN } from '@celeriac/core';
import type { Channel, Message } from 'amqplib';
import type { ResolvedAmqpOptions } from '../options.js';
import { type Publisher, rawProperties } from './publisher.js';
import type { Session } from './session.js';
import type { Topology } from './topology.js';

const REASON = 'x-celeriac-reason';
const QUEUE = 'x-celeriac-queue';
const DEAD_ID = 'x-celeriac-dead-id';
const DEAD_AT = 'x-celeriac-dead-at';

/**
 * The dead-letter queue: a durable queue behind the fanout exchange `<prefix>.dead`, bounded by
 * `x-max-length` and `x-message-ttl` (so RabbitMQ trims it). A letter is the message as it was
 * received, with the reason, queue, id and time in `x-celeriac-*` headers; one RabbitMQ dead-lettered
 * itself (a rejection by another client) is read from its `x-death` header.
 *
 * Listing, requeueing and purging by id read the queue through a channel of their own and close it,
 * which puts back in order every letter they did not remove: two of them at once see each other's
 * letters as missing for that moment.
 */
export class DeadLetters {
  constructor(
    private readonly options: ResolvedAmqpOptions,
    private readonly topology: Topology,
    private readonly publisher: Publisher,
  ) {}

  /**
   * Sends a received message to the dead-letter exchange with its reason (confirmed). Without an
   * `id` (a message the codec could not read), the task id its headers or correlation id name (a
   * Celery message's), so the letter is found under the id its sender knows.
   */
  async add(session: Session, queue: string, message: Message, id: string | undefined, reason: string): Promise<void> {
    await this.topology.ensureBase(session);
    const headers = { [REASON]: reason, [QUEUE]: queue, [DEAD_ID]: id ?? namedId(message) ?? `raw-${randomUUID()}`, [DEAD_AT]: String(Date.now()) };
    await session.publish(this.topology.deadExchange, '', message.content, rawProperties(message, headers));
  }

  async page(session: Session, limit: number, offset: number): Promise<DeadLetter[]> {
    await this.topology.ensureBase(session);
    return session.withChannel(async (channel) => {
      const letters: DeadLetter[] = [];
      for (let i = 0; i < offset + limit; i++) {
        const message = await channel.get(this.topology.deadQueue, { noAck: false });
        if (message === false) break;
        if (i >= offset) letters.push(this.#read(message));
      }
      return letters;
    });
  }

  /**
   * Publishes the letter `id` to its queue as a new first delivery (with `attempt` if it can be
   * read) and removes it. Resolves false if there is no such letter.
   */
  async retry(session: Session, id: string, attempt: number | undefined): Promise<boolean> {
    await this.topology.ensureBase(session);
    return session.withChannel(async (channel) => {
      const found = await this.#find(channel, (letter) => letter.id === id);
      if (found === undefined) return false;
      const letter = this.#read(found);
      const task = this.#decode(found, letter.queue);
      if (task !== undefined) {
        const { eta: _due, ...now } = task; // a requeued letter is due now
        await this.publisher.publish(session, [{ ...now, attempt: attempt ?? task.attempt }]);
      }
      else await this.publisher.publishRaw(session, letter.queue, found);
      channel.ack(found);
      return true;
    });
  }

  async purge(session: Session, ids: readonly string[] | undefined): Promise<number> {
    await this.topology.ensureBase(session);
    if (ids === undefined) return (await session.publisher.purgeQueue(this.topology.deadQueue)).messageCount;
    const wanted = new Set(ids);
    return session.withChannel(async (channel) => {
      let removed = 0;
      for (;;) {
        const message = await channel.get(this.topology.deadQueue, { noAck: false });
        if (message === false) return removed;
        if (wanted.has(this.#read(message).id)) {
          channel.ack(message);
          removed++;
        }
      }
    });
  }

  async #find(channel: Channel, match: (letter: DeadLetter) => boolean): Promise<Message | undefined> {
    for (;;) {
      const message = await channel.get(this.topology.deadQueue, { noAck: false });
      if (message === false) return undefined;
      if (match(this.#read(message))) return message;
    }
  }

  #decode(message: Message, queue: string): TaskMessage | undefined {
    try {
      return this.options.codec.decode({ body: message.content, queue, headers: headersOf(message), contentType: message.properties.contentType as string | undefined });
    } catch {
      return undefined;
    }
  }

  #read(message: Message): DeadLetter {
    const headers = headersOf(message);
    const death = (headers['x-death'] as Array<Record<string, unknown>> | undefined)?.[0];
    const queue = text(headers[QUEUE]) ?? text(death?.queue) ?? '';
    return {
      id: text(headers[DEAD_ID]) ?? this.#decode(message, queue)?.id ?? text(message.properties.messageId) ?? `raw-${message.fields.deliveryTag}`,
      queue,
      raw: message.content.toString('utf8'),
      reason: text(headers[REASON]) ?? (death === undefined ? 'unknown' : `dead-lettered by RabbitMQ: ${text(death.reason) ?? 'unknown'}`),
      deadAt: Number(text(headers[DEAD_AT]) ?? (death?.time as { value?: number } | undefined)?.value ?? 0),
    };
  }
}

export function headersOf(message: Message): Record<string, unknown> {
  return (message.properties.headers as Record<string, unknown> | undefined) ?? {};
}

/** The task id a message names outside its body (Celery's `id` header, or its correlation id), if it is a valid one. */
function namedId(message: Message): string | undefined {
  const id = text(headersOf(message).id) ?? text(message.properties.correlationId);
  return id !== undefined && TASK_ID_PATTERN.test(id) ? id : undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}
