import { randomUUID } from 'node:crypto';
import { type Broker, type ConnectionListener, type DeadLetter, type Delivery, type QueueInfo, type ReserveRequest, type RevokeListener, type TaskMessage, Wakeup, carriesWorkflow } from '@celeriac/core/adapter';
import { type AmqpBrokerOptions, type ResolvedAmqpOptions, resolveAmqpOptions } from './options.js';
import { DeadLetters } from './internal/dead-letters.js';
import { Publisher } from './internal/publisher.js';
import { QueueAdmin } from './internal/queue-admin.js';
import { Reserver } from './internal/reserver.js';
import { Revocations } from './internal/revocations.js';
import { Connector, type Session } from './internal/session.js';
import { SharedState } from './internal/shared-state.js';
import { DELAY_LEVELS, Topology } from './internal/topology.js';

/**
 * Tasks on RabbitMQ (AMQP 0-9-1), for `splitStore(broker, backend)`. See the package README for
 * the layout (work queues, the delay cascade, the dead-letter exchange) and its guarantees.
 *
 * A delivery's lease is RabbitMQ's own: an unacked message on this process's connection. If the
 * connection drops or the process dies, RabbitMQ puts the message back and it is delivered again;
 * `holds` then answers false for the old delivery, so its late writes are refused.
 */
export class AmqpBroker implements Broker {
  readonly #options: ResolvedAmqpOptions;
  readonly #id = randomUUID();
  readonly #connector: Connector;
  readonly #topology: Topology;
  readonly #state: SharedState;
  readonly #publisher: Publisher;
  readonly #deadLetters: DeadLetters;
  readonly #reserver: Reserver;
  readonly #revocations: Revocations;
  readonly #admin: QueueAdmin;
  readonly #connectionListeners = new Set<ConnectionListener>();
  /** Queues this process has written to the shared list of queue names. */
  readonly #listed = new Set<string>();
  /** Queues this process has used: declared on each new connection, searched by revoke. */
  readonly #knownQueues: Set<string>;
  /** Reserves waiting in this process: a message pushed by RabbitMQ wakes them, as does a session's end. */
  readonly #wakeup = new Wakeup();
  #closed = false;

  constructor(options: AmqpBrokerOptions) {
    this.#options = resolveAmqpOptions(options);
    this.#knownQueues = new Set(this.#options.queues);
    this.#connector = new Connector(this.#options.url);
    this.#topology = new Topology(this.#options);
    this.#state = new SharedState(this.#options.backend, this.#options.revokedTtl);
    this.#publisher = new Publisher(this.#options, this.#topology);
    this.#deadLetters = new DeadLetters(this.#options, this.#topology, this.#publisher);
    this.#reserver = new Reserver(this.#id, this.#options, this.#topology, this.#publisher, this.#deadLetters, this.#state);
    this.#revocations = new Revocations(this.#options, this.#topology, this.#state);
    this.#admin = new QueueAdmin(this.#options, this.#topology, this.#state);
    this.#connector.onEnd = () => this.#wakeup.wakeAll();
    this.#connector.onConnectionChange = (change) => {
      for (const listener of this.#connectionListeners) listener(change);
    };
    this.#connector.onSession = async (session) => {
      session.inbox.onArrival = () => this.#wakeup.wakeAll();
      session.inbox.onRelease = (arrivals) => this.#reserver.putBack(session, arrivals);
      for (const queue of this.#knownQueues) await this.#topology.ensureQueue(session, queue);
      await this.#revocations.bind(session);
    };
  }

  /** Connects and declares the configured queues now, rather than on first use. */
  async connect(): Promise<void> {
    await this.#connector.session();
  }

  async publish(messages: readonly TaskMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const session = await this.#connector.session();
    for (const m of messages) this.#knownQueues.add(m.queue);
    await this.#publisher.publish(session, messages);
    await this.#list(messages.map((m) => m.queue));
  }

  /**
   * Puts a raw body on a queue as a foreign producer could (no headers but those given). For tests
   * of malformed messages: the next reserve dead-letters it with the reason.
   */
  async injectRaw(queue: string, raw: string | Buffer, headers: Record<string, unknown> = {}): Promise<void> {
    const session = await this.#connector.session();
    const work = await this.#topology.ensureQueue(session, queue);
    await session.publish('', work, Buffer.isBuffer(raw) ? raw : Buffer.from(raw), { persistent: true, headers });
  }

  async reserve(request: ReserveRequest): Promise<Delivery[]> {
    const deadline = Date.now() + request.waitMs;
    for (const queue of request.queues) this.#knownQueues.add(queue);
    while (!this.#closed && !request.signal?.aborted) {
      const session = await this.#connector.session();
      const taken = await this.#reserver.reserve(session, request, request.queues, deadline, this.#wakeup);
      if (taken !== undefined) return taken;
    }
    return [];
  }

  async holds(delivery: Delivery): Promise<boolean> {
    return (await this.#heldBy(delivery)) !== undefined;
  }

  async ack(delivery: Delivery): Promise<void> {
    const held = await this.#heldBy(delivery);
    held?.session.ack(held.tag);
  }

  async requeue(delivery: Delivery, next: TaskMessage): Promise<void> {
    const held = await this.#heldBy(delivery);
    if (held === undefined) return;
    // A hand-back (same attempt) did not run: its deliveries still count. A retry starts afresh.
    const prior = next.attempt === delivery.message.attempt ? delivery.deliveries - 1 : 0;
    this.#knownQueues.add(next.queue);
    await this.#publisher.publish(held.session, [next], prior);
    await this.#list([next.queue]);
    held.session.ack(held.tag);
  }

  async deadLetter(delivery: Delivery, reason: string): Promise<void> {
    const held = await this.#heldBy(delivery);
    const message = held?.session.held.get(held.tag);
    if (held === undefined || message === undefined) return;
    await this.#deadLetters.add(held.session, message.queue, message.message, delivery.message.id, reason);
    held.session.ack(held.tag);
  }

  async revoke(taskId: string, keepWorkflow = false): Promise<TaskMessage | null> {
    // Marked first, so nothing of the id is delivered from now on; but with keepWorkflow (its
    // record refuses a delivery) only once the message was not kept: a kept one must be delivered.
    if (!keepWorkflow) await this.#state.revoke(taskId);
    const session = await this.#connector.session();
    await this.#revocations.announce(session, taskId);
    const keeps = keepWorkflow ? carriesWorkflow : () => false;
    // Pushed to this process and not yet reserved: RabbitMQ no longer shows it in the queue.
    const found = this.#reserver.takeBuffered(session, taskId, keeps) ?? (await this.#revocations.find(session, [...this.#knownQueues], taskId, keeps));
    if (keepWorkflow && (found === null || !keeps(found))) await this.#state.revoke(taskId);
    return found;
  }

  isRevoked(taskId: string): Promise<boolean> {
    return this.#state.isRevoked(taskId);
  }

  async onRevoke(listener: RevokeListener): Promise<() => void> {
    return this.#revocations.listen(await this.#connector.session(), listener);
  }

  async deadLetters(limit = 100, offset = 0): Promise<DeadLetter[]> {
    return this.#deadLetters.page(await this.#connector.session(), limit, offset);
  }

  async retryDeadLetter(id: string, attempt?: number): Promise<boolean> {
    return this.#deadLetters.retry(await this.#connector.session(), id, attempt);
  }

  async purgeDeadLetters(ids?: readonly string[]): Promise<number> {
    return this.#deadLetters.purge(await this.#connector.session(), ids);
  }

  async size(queue: string): Promise<number> {
    const session = await this.#connector.session();
    const work = await this.#topology.ensureQueue(session, queue);
    await this.#topology.ensureDelays(session, queue);
    const names = [work, ...Array.from({ length: DELAY_LEVELS }, (_, level) => this.#topology.delayQueue(queue, level))];
    let count = 0;
    for (const name of names) count += (await session.publisher.checkQueue(name)).messageCount;
    return count;
  }

  onConnectionChange(listener: ConnectionListener): () => void {
    this.#connectionListeners.add(listener);
    return () => this.#connectionListeners.delete(listener);
  }

  async queues(): Promise<QueueInfo[]> {
    return this.#admin.queues(await this.#connector.session());
  }

  /** Recorded in the backend's keys, read by every reserve of every process. */
  async pauseQueue(queue: string, paused: boolean): Promise<void> {
    await this.#state.setPaused(queue, paused);
    this.#listed.add(queue);
    this.#wakeup.wakeAll();
  }

  async purgeQueue(queue: string, max: number): Promise<TaskMessage[]> {
    return this.#admin.purge(await this.#connector.session(), queue, max);
  }

  /** Adds queues first published to by this process to the shared list `queues()` reads. */
  async #list(queues: readonly string[]): Promise<void> {
    for (const queue of new Set(queues)) {
      if (this.#listed.has(queue)) continue;
      await this.#state.addQueue(queue);
      this.#listed.add(queue);
    }
  }

  /**
   * Drops the connection without settling anything: RabbitMQ puts every unacked delivery back, as
   * if this process had died, and they no longer hold their lease here. The next call reconnects.
   */
  async disconnect(): Promise<void> {
    await this.#connector.drop();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wakeup.wakeAll();
    await this.#connector.close();
  }

  /** The session and tag of a delivery this process still holds unacked on a live connection. */
  async #heldBy(delivery: Delivery): Promise<{ session: Session; tag: number } | undefined> {
    const [brokerId, generation, tag] = delivery.receipt.split(':');
    if (brokerId !== this.#id) return undefined;
    const session = await this.#connector.peek();
    if (session === undefined || String(session.generation) !== generation) return undefined;
    const deliveryTag = Number(tag);
    return session.held.has(deliveryTag) ? { session, tag: deliveryTag } : undefined;
  }
}
