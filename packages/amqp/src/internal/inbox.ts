import type { Channel, Message } from 'amqplib';

/** A message RabbitMQ pushed to this process and no reserve has taken yet. */
export interface Arrival {
  readonly message: Message;
  /** The logical queue it came from. */
  readonly queue: string;
}

/** How long nothing may be asked of an idle inbox before its consumers are cancelled. */
const IDLE_MS = 500;

/**
 * The consumer channel's subscriptions (`basic.consume`, one per work queue a reserve named) and
 * its prefetch, kept so that RabbitMQ pushes no more than the waiting reserves asked for.
 *
 * Every unacked message on the channel is held (`held`): handed to a worker, passed over by a
 * reserve for a moment, or in `buffer` waiting for one. The channel's prefetch (`basic.qos`,
 * global, so that it can change under running consumers) is `held + max(0, wanted - buffered)`:
 * the window RabbitMQ may still fill is exactly what waiting reserves want and the buffer cannot
 * give them. When no reserve waits it is closed (the prefetch equals what is held), and messages
 * pushed before the closing arrived are taken by the next reserve. A prefetch of 0 means
 * "unlimited" in AMQP, so an inbox holding nothing keeps a window of one; after `IDLE_MS` with no
 * reserve and nothing running its consumers are cancelled and what arrived is put back, for other
 * processes.
 */
export class Inbox {
  readonly buffer: Arrival[] = [];
  readonly #consumers = new Map<string, Promise<string>>();
  #wanted = 0;
  /** The prefetch set on the channel: 1 from its opening (`start`), before any consume. */
  #sent = 1;
  #flushing = false;
  #idle: NodeJS.Timeout | undefined;
  /** How many messages have arrived: a reserve that saw this change while busy looks again before waiting. */
  arrivals = 0;
  /** Called when a message arrives (waiting reserves look at the buffer). */
  onArrival: () => void = () => {};
  /** Called with the messages an idle inbox puts back. */
  onRelease: (arrivals: Arrival[]) => Promise<void> = async () => {};

  constructor(
    private readonly channel: Channel,
    private readonly held: { readonly size: number; set(tag: number, held: Arrival): unknown },
    private readonly isClosed: () => boolean,
  ) {}

  /** Sets the first prefetch, before any consume (without one, RabbitMQ pushes a whole queue). */
  async start(): Promise<void> {
    await this.channel.prefetch(this.#sent, true);
  }

  /** Consumes `work` (the AMQP queue of logical `queue`) if this inbox does not yet. */
  subscribe(queue: string, work: string): Promise<string> {
    let tag = this.#consumers.get(work);
    if (tag === undefined) {
      tag = this.channel
        .consume(work, (message) => {
          if (message === null) {
            this.#consumers.delete(work); // cancelled by RabbitMQ (queue deleted): next reserve consumes again
            return;
          }
          this.add(message, queue);
          this.onArrival();
        }, { noAck: false })
        .then((ok) => ok.consumerTag);
      this.#consumers.set(work, tag);
      tag.catch(() => this.#consumers.delete(work));
    }
    return tag;
  }

  /** A message got from `queue` (pushed, or by `basic.get`), held and buffered. */
  add(message: Message, queue: string): void {
    const arrival = { message, queue };
    this.held.set(message.fields.deliveryTag, arrival);
    this.buffer.push(arrival);
    this.arrivals++;
  }

  /** Stops consuming `work`; what it pushed stays in the buffer for the caller to settle. */
  async unsubscribe(work: string): Promise<void> {
    const tag = this.#consumers.get(work);
    if (tag === undefined) return;
    this.#consumers.delete(work);
    await this.channel.cancel(await tag);
  }

  /** A reserve wants up to `count` more messages (negative: it is done). */
  want(count: number): void {
    this.#wanted += count;
    this.sync();
  }

  /**
   * Sends `settle` (the ack or nack of a message just taken out of `held`) once the window no longer
   * lets RabbitMQ fill the place it frees, unless a waiting reserve wants it: the lower prefetch goes
   * first and the settle follows its `qos-ok` (an ack sent at once would overtake it). If the channel
   * closes meanwhile, RabbitMQ puts the message back, as for a process that died before settling.
   */
  settle(send: () => void): void {
    const prefetch = Math.max(1, this.#target());
    if (prefetch >= this.#sent || this.isClosed()) {
      send();
      this.sync();
      return;
    }
    this.#sent = prefetch;
    this.channel.prefetch(prefetch, true).then(send, () => undefined);
  }

  #target(): number {
    return this.held.size + Math.max(0, this.#wanted - this.buffer.length);
  }

  /**
   * Brings the channel's prefetch to what is held and wanted. Changes made in one turn go out as
   * one `basic.qos`, sent before anything the caller does after its next `await` (amqplib sends a
   * channel's requests in order, so a consume that follows sees the new window).
   */
  sync(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    queueMicrotask(() => {
      this.#flushing = false;
      const target = this.#target();
      // Nothing asked for, nothing running: all it holds, if anything, is what the window of one let in.
      this.#watchIdle(this.#wanted === 0 && this.held.size === this.buffer.length);
      const prefetch = Math.max(1, target);
      if (prefetch === this.#sent || this.isClosed()) return;
      this.#sent = prefetch;
      this.channel.prefetch(prefetch, true).catch(() => undefined); // the channel closed: the session is over
    });
  }

  #watchIdle(idle: boolean): void {
    if (!idle) {
      clearTimeout(this.#idle);
      this.#idle = undefined;
    } else if (this.#idle === undefined) {
      this.#idle = setTimeout(() => void this.#retire(), IDLE_MS);
      this.#idle.unref();
    }
  }

  async #retire(): Promise<void> {
    this.#idle = undefined;
    if (this.#wanted > 0 || this.held.size !== this.buffer.length || this.isClosed()) return;
    await Promise.all([...this.#consumers.keys()].map((work) => this.unsubscribe(work).catch(() => undefined)));
    if (this.#wanted > 0) return; // a reserve came meanwhile: it takes the buffer
    await this.onRelease(this.buffer.splice(0));
  }

  stop(): void {
    clearTimeout(this.#idle);
  }
}
