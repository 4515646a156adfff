import type { RedisClients } from './connection.js';

export type ChannelHandler = (message: string) => void;

/** The pub/sub commands and message event: plain, or sharded on a Redis Cluster (see RedisClients). */
const PLAIN = { subscribe: 'subscribe', unsubscribe: 'unsubscribe', message: 'message' } as const;
const SHARDED = { subscribe: 'ssubscribe', unsubscribe: 'sunsubscribe', message: 'smessage' } as const;

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
 * To compare (the follow channel and events only for listeners, in the scripts): any pattern
 * subscription on the server makes the scripts publish every event.
 *
 * A channel may come with a follow channel (a task's events with the events' `followChannel`):
 * the follow channel is subscribed in the same command as the first such channel, and
 * unsubscribed in the same command as the last, so whenever one of them is subscribed it is too.
 * Scripts then learn from that one channel that nobody follows any task of a batch.
 *
 * On a Redis Cluster, channels are shard channels (SSUBSCRIBE), heard on the connection to the
 * shard serving the deployment's slot; the scripts publish there with SPUBLISH, to every listener.
 */
export class SubscriberHub {
  readonly #clients: RedisClients;
  readonly #verbs: typeof PLAIN | typeof SHARDED;
  readonly #handlers = new Map<string, Set<ChannelHandler>>();
  readonly #live = new Map<string, Promise<void>>();
  readonly #resyncHooks = new Set<() => void>();
  /** The follow channel of each subscribed channel that has one (leaving ones included). */
  readonly #followOf = new Map<string, string>();
  /** Per follow channel, how many subscribed channels need it (it is subscribed while above 0). */
  readonly #followers = new Map<string, number>();
  /** Channels without handlers, still subscribed until the next leave flush. */
  #leaving = new Set<string>();
  #leaveTimer: NodeJS.Timeout | undefined;
  #started = false;
  #connectedOnce = false;

  constructor(clients: RedisClients) {
    this.#clients = clients;
    this.#verbs = clients.sharded ? SHARDED : PLAIN;
  }

  /**
   * Calls `handler` with every message on `channel`; resolves once the subscription is live (with
   * `follow`, that channel's subscription too).
   */
  async listen(channel: string, handler: ChannelHandler, follow?: string): Promise<() => void> {
    this.#start();
    let handlers = this.#handlers.get(channel);
    if (handlers === undefined) {
      handlers = new Set();
      this.#handlers.set(channel, handlers);
      if (!this.#leaving.delete(channel)) this.#live.set(channel, this.#subscribe(this.#joining(channel, follow)));
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
    subscriber.on(this.#verbs.message, (channel: string, message: string) => {
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

  /** The channels to subscribe for `channel`: its follow channel first if no other channel holds it. */
  #joining(channel: string, follow: string | undefined): string[] {
    if (follow === undefined) return [channel];
    this.#followOf.set(channel, follow);
    const count = this.#followers.get(follow) ?? 0;
    this.#followers.set(follow, count + 1);
    return count === 0 ? [follow, channel] : [channel];
  }

  /**
   * The channels to unsubscribe when `channels` leave: they, and the follow channels that none but
   * they held; never a follow channel still held (a task named `*` shares its name).
   */
  #leavingWith(channels: string[]): string[] {
    const released: string[] = [];
    for (const channel of channels) {
      const follow = this.#followOf.get(channel);
      if (follow === undefined) continue;
      this.#followOf.delete(channel);
      const count = (this.#followers.get(follow) ?? 1) - 1;
      if (count > 0) {
        this.#followers.set(follow, count);
      } else {
        this.#followers.delete(follow);
        released.push(follow);
      }
    }
    return [...channels.filter((channel) => !this.#followers.has(channel)), ...released];
  }

  async #subscribe(channels: string[]): Promise<void> {
    await this.#clients.subscriberReady();
    await this.#clients.subscriber()[this.#verbs.subscribe](...channels);
  }

  async #resync(): Promise<void> {
    // Follow channels first: none of their channels is ever subscribed without them.
    const channels = [...this.#followers.keys(), ...this.#handlers.keys()];
    try {
      for (let i = 0; i < channels.length; i += 1000) await this.#clients.subscriber()[this.#verbs.subscribe](...channels.slice(i, i + 1000));
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
    const leaving = this.#leavingWith(channels);
    // Never an UNSUBSCRIBE without channels: that one leaves them all.
    if (leaving.length > 0) this.#clients.subscriber()[this.#verbs.unsubscribe](...leaving).catch(() => undefined);
  }
}
