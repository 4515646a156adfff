import { randomBytes } from 'node:crypto';
import { Wakeup } from '@celeriac/core/adapter';
import type { BrokerKeys } from './keys.js';
import type { StoredMessage } from './message-fields.js';
import type { SubscriberHub } from './subscriber-hub.js';

/** A generation counter and its sleepers: one per store, or one for all partitions of a partitioned store. */
export class WakePulse {
  readonly wakeup = new Wakeup();
  generation = 0;

  notify(): void {
    this.generation++;
    this.wakeup.wakeAll();
  }
}

/**
 * Lets a reserve that found nothing sleep until work may be there, without polling: publishing
 * scripts PUBLISH on the queue's wake channel, and every waiter in this process re-checks.
 *
 * No wake-up is lost: a reserve reads `generation` before its script runs, and `wait()` returns at
 * once if a wake-up arrived since. A queue's channel is subscribed before the first wait on it, and
 * the caller checks again after subscribing.
 *
 * A process that publishes wakes its own waiters at once (a producer and a worker in one process
 * skip the pub/sub round trip) and ignores the echo, recognised by its `origin` in the message.
 * "At once" means as soon as the publishing call is sent, not when its reply comes: the reserve a
 * waiter then sends goes out after it on the same connection, and Redis runs a connection's
 * commands in order, so the reserve finds the new work one round trip earlier.
 * To compare: separate stores (or processes) for producer and worker, so wake-ups go over pub/sub.
 */
export class WakeSignal {
  readonly #hub: SubscriberHub;
  readonly #keys: BrokerKeys;
  readonly #watched = new Map<string, Promise<() => void>>();
  readonly #pulse: WakePulse;
  /** What this process's publishes send on wake channels. */
  readonly origin = randomBytes(9).toString('base64url');

  constructor(hub: SubscriberHub, keys: BrokerKeys, pulse = new WakePulse()) {
    this.#hub = hub;
    this.#keys = keys;
    this.#pulse = pulse;
  }

  get generation(): number {
    return this.#pulse.generation;
  }

  /** Subscribes to these queues' wake channels; resolves `true` if any was new (check again before waiting). */
  async watch(queues: readonly string[]): Promise<boolean> {
    let added = false;
    for (const queue of queues) {
      if (this.#watched.has(queue)) continue;
      added = true;
      const listening = this.#hub.listen(this.#keys.wake(queue), (message) => {
        if (message !== this.origin) this.notify();
      });
      this.#watched.set(queue, listening);
      listening.catch(() => this.#watched.delete(queue));
    }
    await Promise.all(queues.map((q) => this.#watched.get(q)));
    return added;
  }

  /**
   * What a call publishing `messages` sends on wake channels: this process's `origin` (its echo
   * ignored) only if `notifyPublished` will wake its waiters for every one of them, because each
   * is in a queue already watched or not ready yet. Otherwise a value that is no one's origin: a
   * queue first watched while the call is on its way (its script reloaded, say, and run after the
   * waiter's look) would otherwise hear of the new work from no one.
   */
  originFor(messages: readonly StoredMessage[]): string {
    const now = Date.now();
    return messages.every((m) => this.#watched.has(m.queue) || (m.message.eta !== undefined && m.message.eta > now)) ? this.origin : '';
  }

  /**
   * Wakes this process's waiters if any of these messages is ready now in a queue they watch. Call
   * it right after sending the call that publishes them, on the connection waiters reserve with.
   */
  notifyPublished(messages: readonly StoredMessage[]): void {
    const now = Date.now();
    if (messages.some((m) => this.#watched.has(m.queue) && (m.message.eta === undefined || m.message.eta <= now))) this.notify();
  }

  /** Wakes every waiter (a publish, a reconnect, or close). */
  notify(): void {
    this.#pulse.notify();
  }

  /**
   * Sleeps up to `ms`, less if woken or aborted; returns at once if woken since `since`.
   * `onWaiting` gets a function that ends this sleep alone (see Wakeup.wait).
   */
  wait(ms: number, since: number, signal: AbortSignal | undefined, onWaiting?: (end: () => void) => void): Promise<void> {
    if (this.#pulse.generation !== since) return Promise.resolve();
    return this.#pulse.wakeup.wait(ms, signal, onWaiting);
  }

  async close(): Promise<void> {
    this.notify();
    const listening = await Promise.allSettled(this.#watched.values());
    for (const outcome of listening) if (outcome.status === 'fulfilled') outcome.value();
    this.#watched.clear();
  }
}
