import { type DeadLetter, type Delivery, type ReserveRequest, type RevokeListener, type StartedDelivery, type TaskMessage } from '@celeriac/core/adapter';
import { AckQueue } from './ack-queue.js';
import { type StoredMessage, decodeStoredMessage, requeuedMessage, storedMessage, wholeMessageJson } from './message-fields.js';
import { replyNumber, replyString } from './reply.js';
import { type StartOnReserve, Reserver } from './reserver.js';
import type { SlotReserveRequest } from './reserve-args.js';
import type { StoreParts } from './store-parts.js';
import { TickBatcher } from './tick-batcher.js';

/**
 * The message half of the Redis store, for producers and workers in many processes.
 * At-least-once: a reserved message is leased, the lease kept alive by this process's heartbeats,
 * and delivered again (counted) if its holder dies. Delayed messages, priorities, per-task queues,
 * rate limits, revocations and the dead-letter queue all live in Redis, changed only by Lua
 * scripts. Publishes and acks made in the same turn of the event loop share one script call.
 * Callers check that the store is open.
 */
export class MessageQueue {
  readonly #parts: StoreParts;
  readonly #reserver: Reserver;
  readonly #publishes: TickBatcher<StoredMessage, void>;
  readonly #acks: AckQueue;
  readonly #revokeListeners = new Set<RevokeListener>();
  readonly #stopResync: () => void;
  #revokeChannel: Promise<() => void> | undefined;
  #closed = false;

  constructor(parts: StoreParts) {
    this.#parts = parts;
    const { scripts, wake, hub, options } = parts;
    // Wake-ups published while disconnected are lost: after a reconnect every waiter looks again.
    this.#stopResync = hub.onResync(() => wake.notify());
    this.#reserver = new Reserver({
      ...parts,
      visibilityTimeout: options.visibilityTimeout,
      drainedHint: options.tuning.drainedHint,
      isClosed: () => this.#closed,
      takeAcks: () => this.#acks.take(),
      handBack: async (deliveries) => {
        await Promise.all(deliveries.map((d) => this.requeue(d, d.message).catch(() => undefined)));
      },
    });
    this.#publishes = new TickBatcher<StoredMessage, void>(async (batch) => {
      // Waiters are woken again if the call runs late (see EnqueueStep).
      const published = scripts.publish(batch, wake.originFor(batch), () => wake.notify());
      wake.notifyPublished(batch); // this process ignores its own wake-ups' echo (see WakeSignal)
      await published;
      return [];
    }, options.maxBatch);
    this.#acks = new AckQueue((members) => scripts.ack(members), options.maxBatch);
  }

  async publish(messages: readonly TaskMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const stored = messages.map((m) => storedMessage(m));
    await this.#parts.clients.ready();
    await this.#publishes.addAll(stored);
  }

  /** Takes messages, STARTED stored for each as `start` says (see Reserver). */
  async reserve(request: ReserveRequest, start: StartOnReserve): Promise<StartedDelivery[]> {
    await this.#parts.clients.ready();
    return this.#reserver.reserve(request, start);
  }

  /** One look without sleeping, for a partitioned store (see Reserver.look). */
  async look(request: SlotReserveRequest, start: StartOnReserve): Promise<{ deliveries: StartedDelivery[]; nextDue: number } | undefined> {
    await this.#parts.clients.ready();
    return this.#reserver.look(request, start);
  }

  /**
   * Settles a delivery whose outcome is stored. Write-behind (see AckQueue): resolves once queued;
   * the ack goes out with this process's next reserve or right after the current microtasks. If it
   * is lost, the message is delivered again and the state machine refuses to run it twice.
   */
  async ack(delivery: Delivery): Promise<void> {
    this.#parts.leases.release(delivery.receipt);
    this.#acks.push(delivery.receipt);
  }

  async requeue(delivery: Delivery, next: TaskMessage): Promise<void> {
    const stored = requeuedMessage(delivery, next);
    try {
      await this.#parts.scripts.requeue(delivery.receipt, stored);
      // Waiters of this process look again now, a delayed retry included (it publishes no wake-up).
      this.#parts.wake.notify();
    } finally {
      this.#parts.leases.release(delivery.receipt);
    }
  }

  async deadLetter(delivery: Delivery, reason: string): Promise<void> {
    try {
      await this.#parts.scripts.deadLetter(delivery.receipt, String(reason));
    } finally {
      this.#parts.leases.release(delivery.receipt);
    }
  }

  /** Resolves with the waiting or delayed message removed (undecodable: as good as none), or null. */
  async revoke(taskId: string): Promise<TaskMessage | null> {
    await this.#parts.clients.ready();
    const raw = await this.#parts.scripts.revoke(taskId, this.#parts.options.revokedTtl);
    if (raw === null) return null;
    try {
      return decodeStoredMessage(raw, taskId);
    } catch {
      return null;
    }
  }

  /** Publishes messages and marks `key`, in one step, unless `key` is marked (see TaskStore.publishOnce). */
  async publishOnce(key: string, messages: readonly TaskMessage[]): Promise<boolean> {
    await this.#parts.clients.ready();
    const { wake, scripts } = this.#parts;
    const stored = messages.map((m) => storedMessage(m));
    const published = await scripts.publishOnce(key, stored, wake.originFor(stored));
    if (published) wake.notifyPublished(stored);
    return published;
  }

  async purgeDeadLetters(ids?: readonly string[]): Promise<number> {
    await this.#parts.clients.ready();
    if (ids !== undefined && ids.length === 0) return 0;
    return this.#parts.scripts.purgeDeadLetters(ids);
  }

  async isRevoked(taskId: string): Promise<boolean> {
    await this.#parts.clients.ready();
    return (await this.#parts.clients.command.zscore(this.#parts.keys.revoked, taskId)) !== null;
  }

  async onRevoke(listener: RevokeListener): Promise<() => void> {
    await this.#parts.clients.ready();
    this.#revokeListeners.add(listener);
    this.#revokeChannel ??= this.#parts.hub.listen(this.#parts.keys.revokeChannel, (id) => {
      this.#parts.leases.revoked(id);
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

  async deadLetters(limit = 100, offset = 0): Promise<DeadLetter[]> {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new TypeError(`deadLetters(): limit must be a positive integer, got ${String(limit)}`);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new TypeError(`deadLetters(): offset must be a non-negative integer, got ${String(offset)}`);
    await this.#parts.clients.ready();
    const reply = await this.#parts.scripts.listDeadLetters(limit, offset);
    const letters: DeadLetter[] = [];
    for (let at = 0; at + 4 < reply.length; at += 5) {
      const id = replyString(reply[at]);
      letters.push({
        id,
        queue: replyString(reply[at + 1]),
        raw: wholeMessageJson(replyString(reply[at + 2]), id),
        reason: replyString(reply[at + 3]),
        deadAt: replyNumber(reply[at + 4]),
      });
    }
    return letters;
  }

  async retryDeadLetter(id: string): Promise<boolean> {
    await this.#parts.clients.ready();
    return this.#parts.scripts.retryDeadLetter(id);
  }

  async size(queue: string): Promise<number> {
    await this.#parts.clients.ready();
    return this.#parts.scripts.countQueue(queue);
  }

  /**
   * Stops heartbeats and wake-ups, and waits for queued publishes and acks (the store closes the
   * connections). Deliveries not settled stay leased until their lease expires, then go to another
   * worker.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#parts.leases.stop();
    this.#stopResync();
    // Abandoned reserves first: their late deliveries go back to their queue before the connection goes.
    await this.#reserver.drain();
    await Promise.all([this.#publishes.drain(), this.#acks.drain()]);
    await this.#parts.wake.close();
    if (this.#revokeChannel !== undefined) {
      await this.#revokeChannel.then((stop) => stop(), () => undefined);
    }
    this.#revokeListeners.clear();
  }
}
