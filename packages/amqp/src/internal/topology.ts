import type { ResolvedAmqpOptions } from '../options.js';
import type { Session } from './session.js';

/**
 * The exchanges and queues the broker uses, and their declaration (idempotent, cached per session).
 *
 * Delays are a cascade of TTL queues, as NServiceBus does it, without a plugin: a delay of D ms is
 * written as 32 bits in the routing key (most significant first), followed by the work queue's
 * name. Topic exchange `<prefix>.delay.<k>` sends a message whose bit k is 1 into the queue
 * `<prefix>.delay.<queue>.<k>`, whose `x-message-ttl` is 2^k ms and which dead-letters (routing
 * key kept) into exchange k - 1; a 0 bit goes straight on to exchange k - 1. After bit 0,
 * `<prefix>.deliver` routes by the queue's name into the work queue. A message thus waits in
 * RabbitMQ for exactly the sum of its bits, in at most 32 hops, and never in a worker's memory.
 * Each level queue holds messages of one TTL, so they expire in order at its head.
 */
export const DELAY_LEVELS = 32;
/** The longest delay one pass through the cascade gives; a later eta goes round again on arrival. */
export const MAX_DELAY_MS = 2 ** DELAY_LEVELS - 1;

export class Topology {
  constructor(private readonly options: ResolvedAmqpOptions) {}

  /** The AMQP queue of a logical queue. */
  workQueue(queue: string): string {
    return this.options.mode === 'celery' ? queue : `${this.options.prefix}.${queue}`;
  }

  get deadExchange(): string {
    return `${this.options.prefix}.dead`;
  }

  get deadQueue(): string {
    return `${this.options.prefix}.dead`;
  }

  get revokeExchange(): string {
    return `${this.options.prefix}.revoke`;
  }

  get deliverExchange(): string {
    return `${this.options.prefix}.deliver`;
  }

  delayExchange(level: number): string {
    return level < 0 ? this.deliverExchange : `${this.options.prefix}.delay.${level}`;
  }

  delayQueue(queue: string, level: number): string {
    return `${this.options.prefix}.delay.${queue}.${level}`;
  }

  /** The exchange and routing key that deliver a message to `queue` after `delayMs`. */
  delayRoute(queue: string, delayMs: number): { exchange: string; routingKey: string } {
    const bits = Math.min(Math.max(Math.ceil(delayMs), 0), MAX_DELAY_MS).toString(2).padStart(DELAY_LEVELS, '0');
    return { exchange: this.delayExchange(DELAY_LEVELS - 1), routingKey: `${bits.split('').join('.')}.${this.workQueue(queue)}` };
  }

  /** Exchanges shared by every queue, and the dead-letter queue. */
  async ensureBase(session: Session): Promise<void> {
    if (session.declared.has('')) return;
    const ch = session.publisher;
    const { deadLetterLimit, deadLetterTtl } = this.options;
    await ch.assertExchange(this.deadExchange, 'fanout', { durable: true });
    await ch.assertQueue(this.deadQueue, { durable: true, arguments: { 'x-max-length': deadLetterLimit, 'x-message-ttl': deadLetterTtl } });
    await ch.bindQueue(this.deadQueue, this.deadExchange, '');
    await ch.assertExchange(this.revokeExchange, 'fanout', { durable: true });
    await ch.assertExchange(this.deliverExchange, 'topic', { durable: true });
    for (let level = 0; level < DELAY_LEVELS; level++) {
      await ch.assertExchange(this.delayExchange(level), 'topic', { durable: true });
      await ch.bindExchange(this.delayExchange(level - 1), this.delayExchange(level), [...stars(DELAY_LEVELS - 1 - level), '0', '#'].join('.'));
    }
    session.declared.add('');
  }

  /**
   * The work queue of `queue`, bound to the end of the delay cascade. In celery mode it is declared
   * exactly as Celery declares it (durable, no arguments but an optional `x-max-priority`).
   */
  async ensureQueue(session: Session, queue: string): Promise<string> {
    const name = this.workQueue(queue);
    if (session.declared.has(name)) return name;
    await this.ensureBase(session);
    const args: Record<string, unknown> = {};
    if (this.options.maxPriority !== undefined) args['x-max-priority'] = this.options.maxPriority;
    // RabbitMQ's own rejections land with ours; Celery's queue must keep Celery's arguments.
    if (this.options.mode === 'celeriac') args['x-dead-letter-exchange'] = this.deadExchange;
    const ch = session.publisher;
    await ch.assertQueue(name, { durable: true, autoDelete: false, exclusive: false, arguments: args });
    await ch.bindQueue(name, this.deliverExchange, [...stars(DELAY_LEVELS), name].join('.'));
    session.declared.add(name);
    return name;
  }

  /** The level queues of `queue`'s delays. */
  async ensureDelays(session: Session, queue: string): Promise<void> {
    const key = `delay:${queue}`;
    if (session.declared.has(key)) return;
    const work = await this.ensureQueue(session, queue);
    const ch = session.publisher;
    for (let level = 0; level < DELAY_LEVELS; level++) {
      const name = this.delayQueue(queue, level);
      await ch.assertQueue(name, { durable: true, arguments: { 'x-message-ttl': 2 ** level, 'x-dead-letter-exchange': this.delayExchange(level - 1) } });
      await ch.bindQueue(name, this.delayExchange(level), [...stars(DELAY_LEVELS - 1 - level), '1', ...stars(level), work].join('.'));
    }
    session.declared.add(key);
  }
}

function stars(count: number): string[] {
  return Array.from({ length: count }, () => '*');
}
