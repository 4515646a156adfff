import type { BroadcastListener, EventsListener, WorkerInfo } from '@celeriac/core/adapter';
import type { Cluster, Redis } from 'ioredis';
import { isCluster } from './connection.js';
import type { StoreParts } from './store-parts.js';

/** Most events read per XRANGE while a follower catches up. */
const READ_PAGE = 1_000;

/**
 * The keys of the "Workers and events" section, all under the deployment's `{prefix}`:
 * `workers` set of worker ids, with `worker:<id>` a string per worker holding its info and expiring
 * with its heartbeat's TTL (Redis's clock decides, so hosts' clocks need not agree); `events` the
 * stream (field `e`); `events:appended` the channel told the last id of every append; `control`
 * the broadcast channel.
 */
/** Where the registry, the broadcast channel and the event stream live. */
export interface WorkersAndEventsKeys {
  readonly workers: string;
  worker(id: string): string;
  readonly events: string;
  readonly appended: string;
  readonly control: string;
}

/** What the registry and the stream need of a store's connections. */
export interface RedisSideChannels {
  /** The command connection, once it is ready. On a Redis Cluster, channels are shard channels (SPUBLISH). */
  command(): Promise<Redis | Cluster>;
  /** Subscribes `handler` to a channel; resolves once the subscription is live. */
  listen(channel: string, handler: (message: string) => void): Promise<() => void>;
  /** Calls `hook` after the subscriber reconnected (what was published meanwhile is lost). */
  onResync(hook: () => void): () => void;
}

/** The Redis store's own connections, as the registry and the stream use them. */
export function sideChannels({ clients, hub }: StoreParts): RedisSideChannels {
  return {
    command: async () => {
      await clients.ready();
      return clients.command;
    },
    listen: (channel, handler) => hub.listen(channel, handler),
    onResync: (hook) => hub.onResync(hook),
  };
}

export function operationKeys(prefix: string): WorkersAndEventsKeys {
  const p = `{${prefix}}`;
  return {
    workers: `${p}:workers`,
    worker: (id: string) => `${p}:worker:${id}`,
    events: `${p}:events`,
    appended: `${p}:events:appended`,
    control: `${p}:control`,
  };
}

/**
 * The worker registry, the broadcast channel and the event stream in Redis. None of it is on a
 * task's path: a worker heartbeats every few seconds, and events are appended in batches (one
 * pipeline of XADDs with `MAXLEN ~` and a PUBLISH per batch) by processes that turned the stream on.
 * A follower is told the last id of each append and reads what it has not seen with XRANGE, so it
 * never sees an event twice or misses one, reconnects included (it reads again on resync).
 */
export class RedisWorkersAndEvents {
  readonly #io: RedisSideChannels;
  readonly #keys: WorkersAndEventsKeys;
  readonly #eventLimit: number;

  /** Also used by stores on other Redis layouts (`@celeriac/celery`), with their own keys. */
  constructor(io: RedisSideChannels, keys: WorkersAndEventsKeys, eventLimit: number) {
    this.#io = io;
    this.#keys = keys;
    this.#eventLimit = eventLimit;
  }

  async heartbeatWorker(info: WorkerInfo, ttlMs: number): Promise<void> {
    const redis = await this.#redis();
    await redis.multi().sadd(this.#keys.workers, info.id).set(this.#keys.worker(info.id), JSON.stringify(info), 'PX', Math.max(1, Math.round(ttlMs))).exec();
  }

  async removeWorker(id: string): Promise<void> {
    const redis = await this.#redis();
    await redis.multi().srem(this.#keys.workers, id).del(this.#keys.worker(id)).exec();
  }

  async workers(): Promise<WorkerInfo[]> {
    const redis = await this.#redis();
    const ids = await redis.smembers(this.#keys.workers);
    if (ids.length === 0) return [];
    const values = await redis.mget(...ids.map((id) => this.#keys.worker(id)));
    const gone = ids.filter((_, i) => values[i] === null);
    // Their heartbeat lapsed (killed): the set forgets them too. A worker beating again re-adds itself.
    if (gone.length > 0) await redis.srem(this.#keys.workers, ...gone);
    return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as WorkerInfo);
  }

  async broadcast(message: string): Promise<void> {
    const redis = await this.#redis();
    await (isCluster(redis) ? redis.spublish(this.#keys.control, message) : redis.publish(this.#keys.control, message));
  }

  onBroadcast(listener: BroadcastListener): Promise<() => void> {
    return this.#io.listen(this.#keys.control, listener);
  }

  async appendEvents(events: readonly string[]): Promise<void> {
    if (events.length === 0) return;
    const redis = await this.#redis();
    const pipeline = redis.pipeline();
    for (const event of events) pipeline.xadd(this.#keys.events, 'MAXLEN', '~', this.#eventLimit, '*', 'e', event);
    if (isCluster(redis)) pipeline.spublish(this.#keys.appended, '1');
    else pipeline.publish(this.#keys.appended, '1');
    const replies = (await pipeline.exec()) ?? [];
    const failed = replies.find(([error]) => error !== null);
    if (failed !== undefined) throw failed[0];
  }

  async recentEvents(limit: number): Promise<string[]> {
    const entries = await (await this.#redis()).xrevrange(this.#keys.events, '+', '-', 'COUNT', limit);
    return entries.reverse().map(eventOf);
  }

  async followEvents(listener: EventsListener, since?: number): Promise<() => void> {
    const redis = await this.#redis();
    const keys = this.#keys;
    let stopped = false;
    /** The last id delivered: reads go on from after it. */
    let last: string | undefined;
    let reading: Promise<void> = Promise.resolve();
    const read = async (): Promise<void> => {
      for (;;) {
        if (stopped || last === undefined) return;
        const entries = await redis.xrange(keys.events, `(${last}`, '+', 'COUNT', READ_PAGE);
        if (stopped || entries.length === 0) return;
        last = (entries[entries.length - 1] as [string, string[]])[0];
        listener(entries.map(eventOf));
        if (entries.length < READ_PAGE) return;
      }
    };
    // One read at a time, in order; a failed read is left to the next notice (events are a hint).
    const pull = () => {
      reading = reading.then(read).catch(() => undefined);
    };
    const unlisten = await this.#io.listen(keys.appended, pull);
    const offResync = this.#io.onResync(pull);
    if (since === undefined) {
      const [tail] = await redis.xrevrange(keys.events, '+', '-', 'COUNT', 1);
      last = tail === undefined ? '0-0' : tail[0];
    } else {
      // The stored ones from `since` on: one page before the id just below it.
      last = since <= 0 ? '0-0' : `${Math.floor(since) - 1}-18446744073709551615`;
    }
    pull();
    return () => {
      stopped = true;
      unlisten();
      offResync();
    };
  }

  #redis(): Promise<Redis | Cluster> {
    return this.#io.command();
  }
}

/** An entry's event: its one field, `e` (anything else a foreign writer added reads as nothing). */
function eventOf(entry: [string, string[]]): string {
  const fields = entry[1];
  return fields[0] === 'e' ? (fields[1] ?? '') : '';
}
