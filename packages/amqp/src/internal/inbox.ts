import type { Channel, Message } from 'amqplib';

/** A message RabbitMQ pushed to this process and no reserve has taken yet. */
export interface Arrival {
  readonly message: Message;
  /** The logical queue it came from. */
  readonly queue: string;
}

/** How long nothing may be asked of an idle inbox before its consumers are cancelled. */
const IDLE_MS = 500;

interface Consumer {
  readonly tag: Promise<string>;
  /** Its `basic.qos` prefetch: at most this many of its messages unacked in this process. */
  readonly prefetch: number;
}

/**
 * The consumer channel's subscriptions (`basic.consume`, one per work queue a reserve named), each
 * with a prefetch equal to the slots its reserves asked for: the deliveries handed out and not
 * settled, plus the reserve's `max`. For a worker that is its concurrency, as Celery's prefetch
 * multiplier of 1: RabbitMQ pushes the next message when one is settled, into the place the
 * worker has just freed, so what waits in `buffer` never exceeds the worker's free slots. A
 * reserve asking for more slots than a consumer's prefetch consumes again with the larger one.
 *
 * The prefetch is fixed per consumer (RabbitMQ applies `basic.qos` to the consumers that follow
 * it) rather than changed under a running consumer with a channel-wide (`global`) qos: that costs
 * no round trip per task, and global qos is deprecated by RabbitMQ.
 *
 * Once no reserve has asked for `IDLE_MS` and nothing is running (a worker that stopped, a process
 * that only produces now), the consumers are cancelled and what they pushed is put back, for other
 * processes; the next reserve consumes again.
 */
export class Inbox {
  readonly buffer: Arrival[] = [];
  readonly #consumers = new Map<string, Consumer>();
  #subscribing: Promise<unknown> = Promise.resolve();
  /** Reserves waiting now. */
  #reserves = 0;
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

  /** Deliveries handed to workers (or held back by a reserve) and not settled. */
  get handedOut(): number {
    return this.held.size - this.buffer.length;
  }

  /**
   * Consumes `work` (the AMQP queue of logical `queue`) with at least `prefetch` slots. A consumer
   * with fewer is cancelled first; what it pushed stays buffered for the reserves.
   */
  subscribe(queue: string, work: string, prefetch: number): Promise<void> {
    // One at a time: each consume must follow its own qos on the channel.
    const next = this.#subscribing.then(() => this.#subscribe(queue, work, prefetch));
    this.#subscribing = next.catch(() => undefined);
    return next;
  }

  async #subscribe(queue: string, work: string, prefetch: number): Promise<void> {
    const current = this.#consumers.get(work);
    if (current !== undefined && current.prefetch >= prefetch) return;
    if (current !== undefined) await this.unsubscribe(work);
    // In this order on the channel: the qos applies to the consume that follows it.
    void this.channel.prefetch(prefetch, false).catch(() => undefined);
    const tag = this.channel
      .consume(work, (message) => {
        if (message === null) {
          this.#consumers.delete(work); // cancelled by RabbitMQ (queue deleted): next reserve consumes again
          return;
        }
        this.add(message, queue);
        this.onArrival();
      }, { noAck: false })
      .then((ok) => ok.consumerTag);
    this.#consumers.set(work, { tag, prefetch });
    tag.catch(() => this.#consumers.delete(work));
    await tag;
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
    const consumer = this.#consumers.get(work);
    if (consumer === undefined) return;
    this.#consumers.delete(work);
    await this.channel.cancel(await consumer.tag);
  }

  /** A reserve begins (1) or ends (-1). */
  reserving(change: 1 | -1): void {
    this.#reserves += change;
    this.watch();
  }

  /** Looks whether the inbox went idle (no reserve, nothing running), after any change. */
  watch(): void {
    const idle = this.#reserves === 0 && this.handedOut === 0 && this.#consumers.size > 0;
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
    if (this.#reserves > 0 || this.handedOut > 0 || this.isClosed()) return;
    await Promise.all([...this.#consumers.keys()].map((work) => this.unsubscribe(work).catch(() => undefined)));
    if (this.#reserves > 0) return; // a reserve came meanwhile: it takes the buffer
    await this.onRelease(this.buffer.splice(0));
  }

  stop(): void {
    clearTimeout(this.#idle);
  }
}
