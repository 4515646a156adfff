import { Redis } from 'ioredis';

/**
 * The connections of a broker or backend: one for commands, and one for pub/sub made on first use.
 * A given ioredis instance is borrowed (never closed here).
 */
export class Connections {
  readonly command: Redis;
  readonly #owned: boolean;
  #subscriber: Redis | undefined;

  constructor(connection: string | Redis) {
    this.#owned = typeof connection === 'string';
    this.command = typeof connection === 'string' ? new Redis(connection, { maxRetriesPerRequest: null }) : connection;
    if (this.#owned) this.command.on('error', () => undefined); // reconnects are ioredis's; commands wait for them
  }

  subscriber(): Redis {
    if (this.#subscriber === undefined) {
      this.#subscriber = this.command.duplicate({ maxRetriesPerRequest: null });
      this.#subscriber.on('error', () => undefined);
    }
    return this.#subscriber;
  }

  async close(): Promise<void> {
    const closing: Promise<unknown>[] = [];
    if (this.#subscriber !== undefined) closing.push(this.#subscriber.quit().catch(() => this.#subscriber?.disconnect()));
    if (this.#owned) closing.push(this.command.quit().catch(() => this.command.disconnect()));
    await Promise.all(closing);
  }
}
