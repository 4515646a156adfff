import { Cluster, type ClusterNode, type ClusterOptions, Redis, type RedisOptions, type SentinelAddress } from 'ioredis';
import { InvalidOptionError } from '@celeriac/core';
import { RedisUnavailableError } from '../errors/redis-unavailable-error.js';
import { clusterSubscriber } from './cluster-subscriber.js';

/** A Redis Cluster by its start-up nodes (any few of its nodes: the client finds the rest), with ioredis's Cluster options. */
export interface RedisClusterConnection {
  readonly cluster: readonly ClusterNode[];
  readonly options?: ClusterOptions;
}

/** A master found through Redis Sentinel: the sentinels' addresses and the master's name, with any other ioredis options. */
export type RedisSentinelConnection = RedisOptions & {
  readonly sentinels: readonly Partial<SentinelAddress>[];
  readonly name: string;
};

/**
 * Where to connect: a URL, ioredis options (Sentinel's among them), cluster start-up nodes, or an
 * ioredis `Redis` or `Cluster` instance (which stays yours to close).
 */
export type RedisConnection = string | RedisOptions | RedisSentinelConnection | RedisClusterConnection | Redis | Cluster;

/** A store's command connection: one server (maybe found through Sentinel), or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/**
 * Defaults for connections this package creates. Commands wait for a reconnect instead of
 * failing after a few retries, so a Redis restart is a pause, not an error, for producers and
 * workers; start-up is bounded separately by `connectTimeout` (see {@link RedisClients.ready}).
 */
const OWN_DEFAULTS: RedisOptions = { lazyConnect: true, maxRetriesPerRequest: null };

/**
 * Defaults for clusters this package creates: a command to a master that died is retried, as the
 * cluster promotes its replica (after `cluster-node-timeout`), for about a minute rather than 16
 * tries 100 ms apart, so a failover is a pause too.
 */
const OWN_CLUSTER_DEFAULTS: ClusterOptions = { retryDelayOnFailover: 200, retryDelayOnClusterDown: 200, retryDelayOnTryAgain: 200, maxRedirections: 300 };

export function isRedisInstance(value: unknown): value is Redis {
  // Duck-typed: an instance from another copy of ioredis is still an instance.
  const v = value as Partial<Redis> | null;
  return typeof v === 'object' && v !== null && typeof v.duplicate === 'function' && typeof v.defineCommand === 'function' && typeof v.status === 'string' && !isClusterInstance(v);
}

export function isClusterInstance(value: unknown): value is Cluster {
  const v = value as Partial<Cluster> | null;
  return typeof v === 'object' && v !== null && v.isCluster === true && typeof v.nodes === 'function' && typeof v.duplicate === 'function';
}

export function isClusterConnection(value: unknown): value is RedisClusterConnection {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'cluster' in value;
}

/** Whether `redis` is a Redis Cluster client: its events go over sharded pub/sub (SPUBLISH, SSUBSCRIBE). */
export function isCluster(redis: RedisClient): redis is Cluster {
  return (redis as Partial<Cluster>).isCluster === true;
}

/**
 * The connections of one store: one for commands
 * and, made on first use, one for pub/sub, shared by every subscription of the process. A given
 * ioredis instance is borrowed (never closed here); connections made here are closed by the last
 * `release()`.
 *
 * On a Redis Cluster the pub/sub connection is one plain connection to the shard that serves the
 * deployment's `{prefix}` slot, on which events are sharded messages (see cluster-subscriber.ts).
 */
export class RedisClients {
  readonly command: RedisClient;
  /** On a Redis Cluster: events are sharded (SPUBLISH, SSUBSCRIBE), and scripts may not count listeners. */
  readonly sharded: boolean;
  readonly #owned: boolean;
  readonly #connectTimeout: number;
  /** A key of the deployment's slot: where a cluster's pub/sub connection goes. */
  readonly #slotKey: string;
  #subscriber: Redis | undefined;
  #ready: Promise<void> | undefined;
  #subscriberReady: Promise<void> | undefined;
  #connected = false;
  #subscriberConnected = false;
  #lastError: Error | undefined;
  #refs = 1;

  constructor(connection: RedisConnection, connectTimeout: number, slotKey: string) {
    this.#connectTimeout = connectTimeout;
    this.#slotKey = slotKey;
    if (isRedisInstance(connection) || isClusterInstance(connection)) {
      this.command = connection;
      this.#owned = false;
    } else {
      this.command = ownClient(connection, connectTimeout);
      this.#owned = true;
      // Without a listener ioredis prints every reconnect error; we keep the last for messages.
      this.command.on('error', (error: Error) => {
        this.#lastError = error;
      });
    }
    this.sharded = isCluster(this.command);
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

  /** The pub/sub connection: ours even when the command connection was given (a duplicate of it, or on a cluster a connection to the slot's shard). */
  subscriber(): Redis {
    if (this.#subscriber === undefined) {
      const own: RedisOptions = { lazyConnect: true, autoResubscribe: false, enableAutoPipelining: false, maxRetriesPerRequest: null };
      const subscriber = isCluster(this.command)
        ? clusterSubscriber(this.command, this.#slotKey, { ...this.command.options.redisOptions, connectTimeout: this.#connectTimeout, ...own })
        : this.command.duplicate(own);
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
    // On a cluster, the command connection knows which node serves the slot.
    const first = this.sharded ? this.ready() : Promise.resolve();
    this.#subscriberReady ??= first
      .then(() => waitReady(subscriber, this.#connectTimeout, () => this.#lastError))
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

/** The start-up nodes of the clusters made here, for error messages before any node answered. */
const startupNodes = new WeakMap<Cluster, string>();

/** A client made here from a URL, options (Sentinel's among them) or cluster nodes. */
function ownClient(connection: Exclude<RedisConnection, Redis | Cluster>, connectTimeout: number): RedisClient {
  const base = { ...OWN_DEFAULTS, connectTimeout };
  if (typeof connection === 'string') return new Redis(connection, legacyReplies(base));
  if (isClusterConnection(connection)) {
    const { redisOptions, ...options } = connection.options ?? {};
    const cluster = new Cluster([...connection.cluster], {
      ...OWN_CLUSTER_DEFAULTS,
      ...options,
      lazyConnect: true,
      redisOptions: legacyReplies({ connectTimeout, maxRetriesPerRequest: null, ...redisOptions }),
    });
    startupNodes.set(cluster, connection.cluster.map((node) => (typeof node === 'object' ? `${node.host ?? '127.0.0.1'}:${node.port ?? 6379}` : String(node))).join(', '));
    return cluster;
  }
  const options: RedisOptions = { ...base, ...connection, lazyConnect: true };
  // A master demoted by a Sentinel failover refuses writes (READONLY): reconnect, through the
  // sentinels to the new master, and send the command again.
  if (options.sentinels !== undefined && options.reconnectOnError === undefined) options.reconnectOnError = (error) => (error.message.startsWith('READONLY') ? 2 : false);
  return new Redis(legacyReplies(options));
}

/**
 * ioredis reports a database it could not select (`redis://host/99` on a server with 16) as an
 * 'error' event and then goes on, in database 0: tasks would land where nobody looks for them.
 * Selecting it again is the only reliable check; its refusal is an error at start-up.
 */
async function checkDatabase(redis: RedisClient): Promise<void> {
  if (isCluster(redis)) return; // a cluster has database 0 only
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
function legacyReplies<T extends RedisOptions>(options: T): Omit<T, 'replyMapping'> & { replyMapping: 'legacy' } {
  const { replyMapping: _ignored, ...rest } = options;
  return { ...rest, replyMapping: 'legacy' };
}

/** Where a client points, for error messages. */
export function describeTarget(redis: RedisClient): string {
  if (isCluster(redis)) {
    const known = redis.nodes('master').map((node) => `${node.options.host ?? '127.0.0.1'}:${node.options.port ?? 6379}`);
    if (known.length > 0) return `the Redis Cluster of ${known.join(', ')}`;
    const startup = startupNodes.get(redis);
    return startup === undefined ? 'the Redis Cluster' : `the Redis Cluster with the start-up nodes ${startup}`;
  }
  const { sentinels, name } = redis.options;
  if (sentinels !== undefined && sentinels !== null && sentinels.length > 0) {
    return `the master "${name ?? ''}" of the sentinels ${sentinels.map((s) => `${s.host ?? '127.0.0.1'}:${s.port ?? 26379}`).join(', ')}`;
  }
  const { path, host, port } = redis.options;
  return path !== undefined && path !== null && path !== '' ? path : `${host ?? '127.0.0.1'}:${port ?? 6379}`;
}

function waitReady(redis: RedisClient, timeoutMs: number, lastError: () => Error | undefined): Promise<void> {
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

async function quit(redis: RedisClient): Promise<void> {
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
