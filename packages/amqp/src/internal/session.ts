import { type Channel, type ChannelModel, type ConfirmChannel, type Options, connect } from 'amqplib';
import type { ConnectionChange } from '@celeriac/core/adapter';
import { type Arrival, Inbox } from './inbox.js';

/** A message this process took off a queue and has not settled yet. */
export type Held = Arrival;

/**
 * One AMQP connection and its two long-lived channels: `publisher` (publisher confirms) and
 * `consumer` (the subscriptions of `inbox` and the acks of what they got). Deliveries live and die with it: when the
 * connection or a channel closes, RabbitMQ requeues every unacked message, so the session's
 * deliveries no longer hold their lease (its generation is over).
 */
export class Session {
  closed = false;
  /** Unacked messages got on `consumer`, by delivery tag. */
  readonly held = new Map<number, Held>();
  readonly inbox: Inbox;
  /** Names declared on this connection (declarations are idempotent; this saves the round trips). */
  readonly declared = new Set<string>();

  constructor(
    readonly generation: number,
    readonly model: ChannelModel,
    readonly publisher: ConfirmChannel,
    readonly consumer: Channel,
  ) {
    this.inbox = new Inbox(consumer, this.held, () => this.closed);
  }

  /** Publishes and resolves once RabbitMQ has confirmed it (persisted, for a durable queue). */
  publish(exchange: string, routingKey: string, body: Buffer, options: Options.Publish): Promise<void> {
    return new Promise((resolve, reject) => {
      try {
        this.publisher.publish(exchange, routingKey, body, options, (error: unknown) => (error ? reject(error instanceof Error ? error : new Error(`RabbitMQ refused a publish to ${exchange || routingKey}`)) : resolve()));
      } catch (error) {
        reject(error);
      }
    });
  }

  /** Settles a held message; nothing if it is not held (settled already, or from a closed session). */
  ack(tag: number): boolean {
    const held = this.held.get(tag);
    if (held === undefined || this.closed) return false;
    this.held.delete(tag);
    this.consumer.ack(held.message);
    this.inbox.watch();
    return true;
  }

  /** Puts a held message back in its place in the queue, for another reserve. */
  release(tag: number): void {
    const held = this.held.get(tag);
    if (held === undefined || this.closed) return;
    this.held.delete(tag);
    this.consumer.nack(held.message, false, true);
    this.inbox.watch();
  }

  /** Runs `fn` on a channel of its own, closed after (which requeues whatever it left unacked). */
  async withChannel<T>(fn: (channel: Channel) => Promise<T>): Promise<T> {
    const channel = await this.model.createChannel();
    let failure: Error | undefined;
    channel.on('error', (error: Error) => {
      failure = error;
    });
    try {
      return await fn(channel);
    } catch (error) {
      throw failure ?? error;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }
}

/** Opens sessions on demand and replaces one that closed (RabbitMQ restarted, network dropped). */
export class Connector {
  #current: Promise<Session> | undefined;
  #generation = 0;
  #closed = false;
  /** Run on every new session before it is used (e.g. to bind the revocation listener again). */
  onSession: ((session: Session) => Promise<void>) | undefined;
  /** Run when a session ends, whatever ended it (waiting reserves move to the next one). */
  onEnd: () => void = () => {};
  /** Told when a session is lost other than by `drop`/`close`, and when one opens again after that. */
  onConnectionChange: (change: ConnectionChange) => void = () => {};
  #lost = false;

  constructor(private readonly url: string) {}

  /** The open session, connecting if there is none. Rejects if RabbitMQ cannot be reached. */
  session(): Promise<Session> {
    if (this.#closed) return Promise.reject(new Error('AmqpBroker is closed'));
    if (this.#current === undefined) {
      const opening = this.#open();
      this.#current = opening;
      // A failed attempt is not kept: the next call tries again.
      opening.catch(() => {
        if (this.#current === opening) this.#current = undefined;
      });
    }
    return this.#current;
  }

  /** The session, if one is open now, without connecting. */
  async peek(): Promise<Session | undefined> {
    const current = this.#current;
    if (current === undefined) return undefined;
    const session = await current.catch(() => undefined);
    return session?.closed === false ? session : undefined;
  }

  /** Closes the open session (its unacked messages go back to their queues); the next call opens another. */
  async drop(): Promise<void> {
    const session = await this.peek();
    if (session === undefined) return;
    this.#end(session);
    this.#current = undefined;
    await session.model.close().catch(() => undefined);
  }

  #end(session: Session): void {
    session.closed = true;
    session.inbox.stop();
    this.onEnd();
  }

  async close(): Promise<void> {
    this.#closed = true;
    const session = await this.peek();
    this.#current = undefined;
    if (session === undefined) return;
    this.#end(session);
    await session.model.close().catch(() => undefined);
  }

  async #open(): Promise<Session> {
    // noDelay: without it Nagle's algorithm holds small frames (an ack, a publish) until the peer's
    // delayed ACK, tens of ms per sequential task.
    const model = await connect(this.url, { clientProperties: { connection_name: 'celeriac' }, noDelay: true });
    const generation = ++this.#generation;
    let session: Session | undefined;
    const lost = (error?: unknown) => {
      if (session !== undefined && !session.closed) {
        this.#end(session);
        if (!this.#closed && !this.#lost) {
          this.#lost = true;
          this.onConnectionChange({ connected: false, ...(error instanceof Error ? { error: error.message } : {}) });
        }
      }
      if (session !== undefined && this.#current !== undefined) {
        void this.#current.then((s) => {
          if (s === session) this.#current = undefined;
        });
      }
      model.close().catch(() => undefined);
    };
    model.on('error', () => undefined); // 'close' follows, with the same error
    model.on('close', (error?: unknown) => lost(error));
    try {
      const publisher = await model.createConfirmChannel();
      const consumer = await model.createChannel();
      for (const channel of [publisher, consumer]) {
        channel.on('error', () => undefined);
        channel.on('close', () => lost());
      }
      session = new Session(generation, model, publisher, consumer);
      await this.onSession?.(session);
      if (this.#lost) {
        this.#lost = false;
        this.onConnectionChange({ connected: true });
      }
      return session;
    } catch (error) {
      lost(error);
      throw error;
    }
  }
}
