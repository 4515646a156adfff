import type { Connections } from './connection.js';

export type ChannelHandler = (message: string) => void;

/**
 * The pub/sub of a backend over its one subscriber connection: result channels
 * (`celery-task-meta-<id>`), broadcasts and the event stream's notices. `listen` resolves once the
 * subscription is live, so "listen, then read" misses nothing. ioredis subscribes again after a
 * reconnect; what was published meanwhile is lost, so the resync hooks run then, to read again
 * what the notices hinted at.
 */
export class Channels {
  readonly #conn: Connections;
  readonly #handlers = new Map<string, Set<ChannelHandler>>();
  readonly #live = new Map<string, Promise<unknown>>();
  readonly #resyncHooks = new Set<() => void>();
  #started = false;

  constructor(conn: Connections) {
    this.#conn = conn;
  }

  async listen(channel: string, handler: ChannelHandler): Promise<() => void> {
    const subscriber = this.#start();
    let handlers = this.#handlers.get(channel);
    if (handlers === undefined) {
      handlers = new Set();
      this.#handlers.set(channel, handlers);
      this.#live.set(channel, subscriber.subscribe(channel));
    }
    handlers.add(handler);
    const set = handlers;
    const off = () => {
      set.delete(handler);
      if (set.size > 0 || this.#handlers.get(channel) !== set) return;
      this.#handlers.delete(channel);
      this.#live.delete(channel);
      void subscriber.unsubscribe(channel).catch(() => undefined);
    };
    try {
      await this.#live.get(channel);
    } catch (error) {
      off();
      throw error;
    }
    return off;
  }

  /** `hook` runs after every reconnect of the subscriber. */
  onResync(hook: () => void): () => void {
    this.#resyncHooks.add(hook);
    return () => this.#resyncHooks.delete(hook);
  }

  #start() {
    const subscriber = this.#conn.subscriber();
    if (this.#started) return subscriber;
    this.#started = true;
    let readyOnce = subscriber.status === 'ready';
    subscriber.on('message', (channel: string, message: string) => {
      const handlers = this.#handlers.get(channel);
      if (handlers !== undefined) for (const handler of handlers) handler(message);
    });
    subscriber.on('ready', () => {
      if (readyOnce) for (const hook of this.#resyncHooks) hook();
      readyOnce = true;
    });
    return subscriber;
  }
}
