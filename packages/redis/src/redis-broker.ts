import { type Broker, type DeadLetter, type Delivery, type ReserveRequest, type RevokeListener, type ResultBackend, type TaskMessage } from '@celeriac/core/adapter';
import { TaskStates } from '@celeriac/core';
import { type RedisBrokerOptions, type ResolvedRedisBrokerOptions, resolveBrokerOptions } from './broker-options.js';
import { RedisClients } from './internal/connection.js';
import { type BrokerKeys, brokerKeys } from './internal/keys.js';
import { AckQueue } from './internal/ack-queue.js';
import { backendPartsOf } from './internal/backend-parts.js';
import { RedisCombinedStore } from './internal/combined-store.js';
import { ParkedReserves } from './internal/hand-off.js';
import { LeaseKeeper } from './internal/lease-keeper.js';
import { BrokerScripts } from './internal/broker-scripts.js';
import { type StoredMessage, requeuedMessage, storedMessage } from './internal/message-fields.js';
import { replyNumber, replyString } from './internal/reply.js';
import { Reserver } from './internal/reserver.js';
import { sharedClientsOf } from './internal/shared-clients.js';
import { SubscriberHub } from './internal/subscriber-hub.js';
import { TickBatcher } from './internal/tick-batcher.js';
import { WakeSignal } from './internal/wake-signal.js';

/**
 * Tasks in Redis, for producers and workers in many processes. At-least-once: a reserved message
 * is leased, the lease kept alive by this process's heartbeats, and delivered again (counted) if
 * its holder dies. Delayed messages, priorities, per-task queues, rate limits, revocations and the
 * dead-letter queue all live in Redis, changed only by Lua scripts. Publishes and acks made in the
 * same turn of the event loop share one script call. With its partner backend (`combinedWith`),
 * record + publish and outcome + settle are one script call each.
 */
export class RedisBroker implements Broker {
  readonly options: Readonly<ResolvedRedisBrokerOptions>;
  readonly #keys: BrokerKeys;
  readonly #clients: RedisClients;
  readonly #scripts: BrokerScripts;
  readonly #hub: SubscriberHub;
  readonly #wake: WakeSignal;
  readonly #leases: LeaseKeeper;
  readonly #reserver: Reserver;
  readonly #parked = new ParkedReserves();
  readonly #publishes: TickBatcher<StoredMessage, void>;
  readonly #acks: AckQueue;
  readonly #revokeListeners = new Set<RevokeListener>();
  /** The combined store of each partner backend (usually one). */
  readonly #combined = new Map<ResultBackend, RedisCombinedStore>();
  readonly #stopResync: () => void;
  #revokeChannel: Promise<() => void> | undefined;
  #closed = false;

  constructor(options: RedisBrokerOptions = {}) {
    this.options = resolveBrokerOptions(options);
    this.#keys = brokerKeys(this.options.prefix);
    const shared = sharedClientsOf(options);
    this.#clients = shared?.clients.retain() ?? new RedisClients(this.options.connection, this.options.connectTimeout);
    this.#hub = shared?.hub ?? new SubscriberHub(this.#clients);
    this.#scripts = new BrokerScripts(this.#clients.command, this.#keys);
    this.#wake = new WakeSignal(this.#hub, this.#keys);
    // Wake-ups published while disconnected are lost: after a reconnect every waiter looks again.
    this.#stopResync = this.#hub.onResync(() => this.#wake.notify());
    this.#leases = new LeaseKeeper(
      (members) => this.#scripts.extendLeases(this.options.visibilityTimeout, members),
      this.options.heartbeatInterval,
    );
    this.#reserver = new Reserver({
      scripts: this.#scripts,
      keys: this.#keys,
      visibilityTimeout: this.options.visibilityTimeout,
      leases: this.#leases,
      wake: this.#wake,
      parked: this.#parked,
      isClosed: () => this.#closed,
      takeAcks: () => this.#acks.take(),
      handBack: async (deliveries) => {
        await Promise.all(deliveries.map((d) => this.requeue(d, d.message).catch(() => undefined)));
      },
    });
    this.#publishes = new TickBatcher<StoredMessage, void>(async (batch) => {
      const published = this.#scripts.publish(batch, this.#wake.origin);
      this.#wake.notifyPublished(batch); // this process ignores its own wake-ups' echo (see WakeSignal)
      await published;
      return [];
    }, this.options.maxBatch);
    this.#acks = new AckQueue((members) => this.#scripts.ack(members), this.options.maxBatch);
  }

  /** Resolves once Redis is reachable; rejects with `RedisUnavailableError` after `connectTimeout`. Optional: every call connects. */
  async connect(): Promise<void> {
    await this.#clients.ready();
  }

  /** The list a foreign producer (any language) may RPUSH JSON task messages to: they are validated on reserve. */
  inboxKey(queue: string): string {
    return this.#keys.inbox(queue);
  }

  async publish(messages: readonly TaskMessage[]): Promise<void> {
    this.#assertOpen();
    if (messages.length === 0) return;
    const stored = messages.map((m) => storedMessage(m));
    await this.#clients.ready();
    await this.#publishes.addAll(stored);
  }

  async reserve(request: ReserveRequest): Promise<Delivery[]> {
    this.#assertOpen();
    await this.#clients.ready();
    return this.#reserver.reserve(request);
  }

  /**
   * Settles a delivery whose outcome is stored. Write-behind (see AckQueue): resolves once queued;
   * the ack goes out with this process's next reserve or right after the current microtasks. If it
   * is lost, the message is delivered again and the state machine refuses to run it twice.
   */
  async ack(delivery: Delivery): Promise<void> {
    this.#leases.release(delivery.receipt);
    this.#acks.push(delivery.receipt);
  }

  async requeue(delivery: Delivery, next: TaskMessage): Promise<void> {
    const stored = requeuedMessage(delivery, next);
    try {
      await this.#scripts.requeue(delivery.receipt, stored);
      // Waiters of this process look again now, a delayed retry included (it publishes no wake-up).
      this.#wake.notify();
    } finally {
      this.#leases.release(delivery.receipt);
    }
  }

  async deadLetter(delivery: Delivery, reason: string): Promise<void> {
    try {
      await this.#scripts.deadLetter(delivery.receipt, String(reason));
    } finally {
      this.#leases.release(delivery.receipt);
    }
  }

  async revoke(taskId: string): Promise<void> {
    this.#assertOpen();
    await this.#clients.ready();
    await this.#scripts.revoke(taskId, this.options.revokedTtl);
  }

  async isRevoked(taskId: string): Promise<boolean> {
    this.#assertOpen();
    await this.#clients.ready();
    return (await this.#clients.command.zscore(this.#keys.revoked, taskId)) !== null;
  }

  async onRevoke(listener: RevokeListener): Promise<() => void> {
    this.#assertOpen();
    await this.#clients.ready();
    this.#revokeListeners.add(listener);
    this.#revokeChannel ??= this.#hub.listen(this.#keys.revokeChannel, (id) => {
      this.#leases.revoked(id);
      for (const l of this.#revokeListeners) {
        try {
          l(id);
        } catch {
          // one listener's bug must not keep the others from aborting their task
        }
      }
    });
    try {
      await this.#revokeChannel;
    } catch (error) {
      this.#revokeListeners.delete(listener);
      this.#revokeChannel = undefined;
      throw error;
    }
    return () => {
      this.#revokeListeners.delete(listener);
    };
  }

  async deadLetters(limit = 100): Promise<DeadLetter[]> {
    this.#assertOpen();
    if (!Number.isSafeInteger(limit) || limit < 1) throw new TypeError(`deadLetters(): limit must be a positive integer, got ${String(limit)}`);
    await this.#clients.ready();
    const reply = await this.#scripts.listDeadLetters(limit);
    const letters: DeadLetter[] = [];
    for (let at = 0; at + 4 < reply.length; at += 5) {
      letters.push({
        id: replyString(reply[at]),
        queue: replyString(reply[at + 1]),
        raw: replyString(reply[at + 2]),
        reason: replyString(reply[at + 3]),
        deadAt: replyNumber(reply[at + 4]),
      });
    }
    return letters;
  }

  async retryDeadLetter(id: string): Promise<boolean> {
    this.#assertOpen();
    await this.#clients.ready();
    return this.#scripts.retryDeadLetter(id);
  }

  async size(queue: string): Promise<number> {
    this.#assertOpen();
    await this.#clients.ready();
    return this.#scripts.countQueue(queue);
  }

  /**
   * The one-script fast paths (records + publish, outcome + settle) with `backend`, when it is a
   * `RedisBackend` on this broker's connection and prefix, as `createRedisStores` makes them (or
   * both given the same ioredis instance); otherwise `undefined`.
   */
  combinedWith(backend: ResultBackend): RedisCombinedStore | undefined {
    const parts = backendPartsOf(backend);
    if (parts === undefined || parts.prefix !== this.options.prefix || parts.clients.command !== this.#clients.command) return undefined;
    let store = this.#combined.get(backend);
    if (store === undefined) {
      parts.followLocalRuns(this.#leases);
      store = new RedisCombinedStore({
        scripts: this.#scripts,
        backend: parts,
        wake: this.#wake,
        leases: this.#leases,
        maxBatch: this.options.maxBatch,
        ready: () => this.#clients.ready(),
        connected: () => this.#clients.connected,
        assertOpen: () => this.#assertOpen(),
        ack: (delivery) => this.ack(delivery),
        get: async (id) => ({ applied: false, current: await backend.get(id) }),
        markPending: (message) =>
          backend.apply({ id: message.id, task: message.task, attempt: message.attempt, state: TaskStates.PENDING, meta: { reason: 'handed back before it ran' } }),
        reserve: (request, start) => this.#reserver.reserve(request, start),
        parked: this.#parked,
        keys: this.#keys,
        visibilityTimeout: this.options.visibilityTimeout,
      });
      this.#combined.set(backend, store);
    }
    return store;
  }

  /**
   * Stops heartbeats and wake-ups, waits for queued publishes and acks, and closes the connections
   * made by this broker (never a given instance). Deliveries not settled stay leased until their
   * lease expires, then go to another worker.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#leases.stop();
    this.#stopResync();
    // Abandoned reserves first: their late deliveries go back to their queue before the connection goes.
    await this.#reserver.drain();
    await Promise.all([this.#publishes.drain(), this.#acks.drain(), ...[...this.#combined.values()].map((s) => s.drain())]);
    await this.#wake.close();
    if (this.#revokeChannel !== undefined) {
      await this.#revokeChannel.then((stop) => stop(), () => undefined);
    }
    this.#revokeListeners.clear();
    await this.#clients.release();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('RedisBroker is closed');
  }
}
