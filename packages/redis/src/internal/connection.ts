import { Redis, type RedisOptions } from 'ioredis';
import { InvalidOptionError } from '@celeriac/core';
import { RedisUnavailableError } from '../errors/redis-unavailable-error.js';

/** Where to connect: a URL, ioredis options, or an ioredis instance (which stays yours to close). */
export type RedisConnection = string | RedisOptions | Redis;

/**
 * Defaults for connections this package creates. Commands wait for a reconnect instead of
 * failing after a few retries, so a Redis restart is a pause, not an error, for producers and
 * workers; start-up is bounded separately by `connectTimeout` (see {@link RedisClients.ready}).
 */
const OWN_DEFAULTS: RedisOptions = { lazyConnect: true, maxRetriesPerRequest: null };

export function isRedisInstance(value: unknown): value is Redis {
  // Duck-typed: an instance from another copy of ioredis is still an instance.
  const v = value as Partial<Redis> | null;
  return typeof v === 'object' && v !== null && typeof v.duplicate === 'function' && typeof v.defineCommand === 'function' && typeof v.status === 'string';
}

/**
 * The connections of one store: one for commands
 * and, made on first use, one for pub/sub, shared by every subscription of the process. A given
 * ioredis instance is borrowed (never closed here); connections made here are closed by the last
 * `release()`.
 */
export class RedisClients {
  readonly command: Redis;
  readonly #owned: boolean;
  readonly #connectTimeout: number;
  #subscriber: Redis | undefined;
  #ready: Promise<void> | undefined;
  #subscriberReady: Promise<void> | undefined;
  #connected = false;
  #subscriberConnected = false;
  #lastError: Error | undefined;
  #refs = 1;

  constructor(connection: RedisConnection, connectTimeout: number) {
    this.#connectTimeout = connectTimeout;
    if (isRedisInstance(connection)) {
      this.command = connection;
      this.#owned = false;
    } else {
      const base = { ...OWN_DEFAULTS, connectTimeout };
      this.command = typeof connection === 'string' ? new Redis(connection, legacyReplies(base)) : new Redis(legacyReplies({ ...base, ...connection, lazyConnect: true }));
      this.#owned = true;
      // Without a listener ioredis prints every reconnect error; we keep the last for messages.
      this.command.on('error', (error: Error) => {
        this.#lastError = error;
      });
    }
  }

  /** One more user (broker or backend) of these connections. */
  retain(): this {
    this.#refs++;
    return this;
  }

  /**
   * Resolves once the command connection is ready. If Redis cannot be reached within
   * `connectTimeout`, rejects with a {@link RedisUnavailableError}; a later call tries again
   * (ioredis keeps reconnecting in the background).
   */
  ready(): Promise<void> {
    // Only start-up is bounded: once connected, a command during an outage waits in ioredis's
    // offline queue for the reconnect, so a Redis restart is a pause, not an error.
    if (this.#connected) return Promise.resolve();
    // One wait shared by every caller; after a failure the next caller starts a new one.
    this.#ready ??= waitReady(this.command, this.#connectTimeout, () => this.#lastError)
      .then(() => checkDatabase(this.command))
      .then(() => {
        this.#connected = true;
      })
      .finally(() => {
        this.#ready = undefined;
      });
    return this.#ready;
  }

  /** Whether the command connection has been ready (from then on, commands wait out outages in ioredis's queue). */
  get connected(): boolean {
    return this.#connected;
  }

  /** The pub/sub connection: ours even when the command connection was given (a duplicate of it). */
  subscriber(): Redis {
    if (this.#subscriber === undefined) {
      const subscriber = this.command.duplicate({ lazyConnect: true, autoResubscribe: false, enableAutoPipelining: false, maxRetriesPerRequest: null });
      subscriber.on('error', (error: Error) => {
        this.#lastError = error;
      });
      this.#subscriber = subscriber;
    }
    return this.#subscriber;
  }

  /** Resolves once the pub/sub connection is ready, within `connectTimeout`. */
  subscriberReady(): Promise<void> {
    const subscriber = this.subscriber();
    if (this.#subscriberConnected || subscriber.status === 'ready') {
      this.#subscriberConnected = true;
      return Promise.resolve();
    }
    this.#subscriberReady ??= waitReady(subscriber, this.#connectTimeout, () => this.#lastError)
      .then(() => {
        this.#subscriberConnected = true;
      })
      .finally(() => {
        this.#subscriberReady = undefined;
      });
    return this.#subscriberReady;
  }

  /** Done with these connections: the last user closes the ones made here. */
  async release(): Promise<void> {
    if (--this.#refs > 0) return;
    const closing: Promise<unknown>[] = [];
    if (this.#subscriber !== undefined) closing.push(quit(this.#subscriber));
    if (this.#owned) closing.push(quit(this.command));
    await Promise.all(closing);
  }
}

/**
 * ioredis reports a database it could not select (`redis://host/99` on a server with 16) as an
 * 'error' event and then goes on, in database 0: tasks would land where nobody looks for them.
 * Selecting it again is the only reliable check; its refusal is an error at start-up.
 */
async function checkDatabase(redis: Redis): Promise<void> {
  const db = Number(redis.options.db ?? 0);
  if (db === 0) return;
  try {
    await redis.select(db);
  } catch (error) {
    throw new InvalidOptionError(
      'createRedisStore()',
      'connection',
      `selects database ${db}, which Redis at ${describeTarget(redis)} refuses (${(error as Error).message}): use a database below the server's "databases" setting (16 by default)`,
    );
  }
}

/** Scripts reply with flat arrays: the "legacy" reply mapping, whatever the caller's options said. */
function legacyReplies(options: RedisOptions): Omit<RedisOptions, 'replyMapping'> & { replyMapping: 'legacy' } {
  const { replyMapping: _ignored, ...rest } = options;
  return { ...rest, replyMapping: 'legacy' };
}

/** Where a client points, for error messages. */
export function describeTarget(redis: Redis): string {
  const { path, host, port } = redis.options;
  return path !== undefined && path !== null && path !== '' ? path : `${host ?? '127.0.0.1'}:${port ?? 6379}`;
}

function waitReady(redis: Redis, timeoutMs: number, lastError: () => Error | undefined): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  if (redis.status === 'end') return Promise.reject(new RedisUnavailableError(describeTarget(redis), timeoutMs, new Error('the connection was closed')));
  if (redis.status === 'wait') redis.connect().catch(() => undefined); // failures surface as 'error' events and the timeout
  return new Promise<void>((resolve, reject) => {
    let seen: Error | undefined;
    const onError = (error: Error) => {
      seen = error;
    };
    const onReady = () => {
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new RedisUnavailableError(describeTarget(redis), timeoutMs, seen ?? lastError()));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
    };
    redis.on('ready', onReady);
    redis.on('error', onError);
  });
}

async function quit(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    // Not connected (start-up failed, or reconnecting): QUIT would wait for a connection.
    redis.disconnect();
    return;
  }
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
