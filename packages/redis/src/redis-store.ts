import type { ApplyResult, DeadLetter, Delivery, RecordListener, ReserveRequest, RevokeListener, StartedDelivery, StateUpdate, TaskMessage, TaskStore, EnqueueOptions } from '@celeriac/core/adapter';
import type { TaskRecord } from '@celeriac/core';
import { type RedisStoreOptions, type ResolvedRedisStoreOptions, backendOptionsOf, resolveStoreOptions } from './store-options.js';
import { RedisClients } from './internal/connection.js';
import type { RedisCombinedStore } from './internal/combined-store.js';
import { SHARED_CLIENTS } from './internal/shared-clients.js';
import { SubscriberHub } from './internal/subscriber-hub.js';
import type { RedisBackendOptions } from './backend-options.js';
import type { RedisBrokerOptions } from './broker-options.js';
import { RedisBackend } from './redis-backend.js';
import { RedisBroker } from './redis-broker.js';

/**
 * Tasks and their states in Redis, for producers and workers in many processes: the production
 * store. One connection for commands and one for pub/sub per store. At-least-once: a reserved
 * message is leased, the lease kept alive by this process's heartbeats, and delivered again
 * (counted) if its holder dies. Every step the contract makes atomic is one Lua script call, and
 * calls made in the same turn of the event loop share one.
 */
export class RedisStore implements TaskStore {
  readonly options: Readonly<ResolvedRedisStoreOptions>;
  readonly #broker: RedisBroker;
  readonly #backend: RedisBackend;
  readonly #steps: RedisCombinedStore;

  constructor(options: RedisStoreOptions = {}) {
    this.options = resolveStoreOptions(options);
    const { resultTtl: _recordsOnly, ...brokerOptions } = this.options;
    const clients = new RedisClients(this.options.connection, this.options.connectTimeout);
    const shared = { clients, hub: new SubscriberHub(clients) };
    this.#broker = new RedisBroker({ ...brokerOptions, [SHARED_CLIENTS]: shared } as RedisBrokerOptions);
    this.#backend = new RedisBackend({ ...backendOptionsOf(options, this.options), [SHARED_CLIENTS]: shared } as RedisBackendOptions);
    // The broker and the backend retained the clients; drop the creation reference.
    void clients.release();
    this.#steps = this.#broker.combinedWith(this.#backend) as RedisCombinedStore;
  }

  /** Resolves once Redis is reachable; rejects with `RedisUnavailableError` after `connectTimeout`. Optional: every call connects. */
  async connect(): Promise<void> {
    await this.#broker.connect();
  }

  /** The list a foreign producer (any language) may RPUSH JSON task messages to: they are validated on reserve. */
  inboxKey(queue: string): string {
    return this.#broker.inboxKey(queue);
  }

  enqueue(messages: readonly TaskMessage[], options?: EnqueueOptions): Promise<ApplyResult[]> {
    return this.#steps.enqueue(messages, options);
  }

  publish(messages: readonly TaskMessage[]): Promise<void> {
    return this.#broker.publish(messages);
  }

  reserve(request: ReserveRequest): Promise<StartedDelivery[]> {
    return this.#steps.reserveStarted(request);
  }

  settle(delivery: Delivery, update: StateUpdate, next?: TaskMessage): Promise<ApplyResult> {
    return this.#steps.settle(delivery, update, next);
  }

  ack(delivery: Delivery): Promise<void> {
    return this.#broker.ack(delivery);
  }

  deadLetter(delivery: Delivery, reason: string): Promise<void> {
    return this.#broker.deadLetter(delivery, reason);
  }

  apply(update: StateUpdate): Promise<ApplyResult> {
    return this.#backend.apply(update);
  }

  get(id: string): Promise<TaskRecord | null> {
    return this.#backend.get(id);
  }

  forget(id: string): Promise<void> {
    return this.#backend.forget(id);
  }

  subscribe(id: string, listener: RecordListener): Promise<() => void> {
    return this.#backend.subscribe(id, listener);
  }

  revoke(taskId: string): Promise<void> {
    return this.#broker.revoke(taskId);
  }

  isRevoked(taskId: string): Promise<boolean> {
    return this.#broker.isRevoked(taskId);
  }

  onRevoke(listener: RevokeListener): Promise<() => void> {
    return this.#broker.onRevoke(listener);
  }

  deadLetters(limit?: number): Promise<DeadLetter[]> {
    return this.#broker.deadLetters(limit);
  }

  retryDeadLetter(id: string): Promise<boolean> {
    return this.#broker.retryDeadLetter(id);
  }

  completeGroupMember(groupId: string, memberId: string, size: number): Promise<boolean> {
    return this.#backend.completeGroupMember(groupId, memberId, size);
  }

  compareAndSet(key: string, expected: string | null, value: string, ttlMs?: number): Promise<boolean> {
    return this.#backend.compareAndSet(key, expected, value, ttlMs);
  }

  getValue(key: string): Promise<string | null> {
    return this.#backend.getValue(key);
  }

  size(queue: string): Promise<number> {
    return this.#broker.size(queue);
  }

  /**
   * Waits for queued writes, stops heartbeats, and closes the connections this store made (never
   * a given ioredis instance). Deliveries not settled stay leased until their lease expires, then
   * go to another worker.
   */
  async close(): Promise<void> {
    await this.#broker.close();
    await this.#backend.close();
  }
}

/** The usual set-up: `new Celeriac({ store: createRedisStore({ connection: process.env.REDIS_URL }) })`. */
export function createRedisStore(options: RedisStoreOptions = {}): RedisStore {
  return new RedisStore(options);
}
