import type { RedisClients } from './connection.js';

export type ChannelHandler = (message: string) => void;

/** How long a channel nobody listens to stays subscribed, so its UNSUBSCRIBE can share a command. */
const LEAVE_DELAY_MS = 50;
/** A batch of channels this large is unsubscribed at once. */
const LEAVE_BATCH = 1000;

/**
 * All pub/sub of one set of connections over a single subscriber connection: record events,
 * revocations and wake-ups, for every waiter in the process (never a connection per wait).
 *
 * Messages published while the connection is down are lost, so after a reconnect the hub
 * subscribes again to every channel and then runs the resync hooks, which re-read the state the
 * events were hinting at (events are a hint, state is the truth).
 *
 * A channel whose last handler leaves is unsubscribed a little later, together with the others
 * left meanwhile: a `wait()` that ends then costs no command on its own, and no write on the way
 * to its caller. A channel listened to again before that is still live.
 */
export class SubscriberHub {
  readonly #clients: RedisClients;
  readonly #handlers = new Map<string, Set<ChannelHandler>>();
  readonly #live = new Map<string, Promise<void>>();
  readonly #resyncHooks = new Set<() => void>();
  /** Channels without handlers, still subscribed until the next leave flush. */
  #leaving = new Set<string>();
  #leaveTimer: NodeJS.Timeout | undefined;
  #started = false;
  #connectedOnce = false;

  constructor(clients: RedisClients) {
    this.#clients = clients;
  }

  /** Calls `handler` with every message on `channel`; resolves once the subscription is live. */
  async listen(channel: string, handler: ChannelHandler): Promise<() => void> {
    this.#start();
    let handlers = this.#handlers.get(channel);
    if (handlers === undefined) {
      handlers = new Set();
      this.#handlers.set(channel, handlers);
      if (!this.#leaving.delete(channel)) this.#live.set(channel, this.#subscribe([channel]));
    }
    handlers.add(handler);
    try {
      await this.#live.get(channel);
    } catch (error) {
      this.#remove(channel, handler);
      throw error;
    }
    return () => this.#remove(channel, handler);
  }

  /** `hook` runs after every reconnect, once all channels are subscribed again. */
  onResync(hook: () => void): () => void {
    this.#resyncHooks.add(hook);
    return () => this.#resyncHooks.delete(hook);
  }

  #start(): void {
    if (this.#started) return;
    this.#started = true;
    const subscriber = this.#clients.subscriber();
    subscriber.on('message', (channel: string, message: string) => {
      const handlers = this.#handlers.get(channel);
      if (handlers === undefined) return;
      for (const handler of handlers) {
        try {
          handler(message);
        } catch {
          // One listener's bug must not starve the others.
        }
      }
    });
    subscriber.on('ready', () => {
      if (this.#connectedOnce) void this.#resync();
      this.#connectedOnce = true;
    });
  }

  async #subscribe(channels: string[]): Promise<void> {
    await this.#clients.subscriberReady();
    await this.#clients.subscriber().subscribe(...channels);
  }

  async #resync(): Promise<void> {
    const channels = [...this.#handlers.keys()];
    try {
      for (let i = 0; i < channels.length; i += 1000) await this.#clients.subscriber().subscribe(...channels.slice(i, i + 1000));
    } catch {
      return; // disconnected again: the next 'ready' resyncs
    }
    for (const hook of this.#resyncHooks) {
      try {
        hook();
      } catch {
        // a hook's failure must not stop the others
      }
    }
  }

  #remove(channel: string, handler: ChannelHandler): void {
    const handlers = this.#handlers.get(channel);
    if (handlers === undefined || !handlers.delete(handler) || handlers.size > 0) return;
    this.#handlers.delete(channel);
    this.#leaving.add(channel);
    if (this.#leaving.size >= LEAVE_BATCH) this.#leave();
    else this.#leaveTimer ??= setTimeout(() => this.#leave(), LEAVE_DELAY_MS).unref();
  }

  #leave(): void {
    clearTimeout(this.#leaveTimer);
    this.#leaveTimer = undefined;
    const channels = [...this.#leaving];
    this.#leaving = new Set();
    for (const channel of channels) this.#live.delete(channel);
    if (channels.length > 0) this.#clients.subscriber().unsubscribe(...channels).catch(() => undefined);
  }
}
