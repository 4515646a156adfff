import { DEFAULT_TASK_LIST_RETENTION, type TaskListRetention } from '@celeriac/core/adapter';
import type { RedisConnection } from './internal/connection.js';
import { optionChecks } from './internal/check-options.js';

/**
 * Options of `createRedisStore()`. `taskListLimit` and `taskListTtl` bound the finished-task lists
 * of `app.tasks.list()` (per state), as on the memory store.
 */
export interface RedisStoreOptions extends TaskListRetention {
  /**
   * Where Redis is: a `redis://` URL; ioredis options, Sentinel's among them (`{ sentinels: [{ host,
   * port }], name }`); a Redis Cluster's start-up nodes (`{ cluster: [{ host, port }, ...], options? }`);
   * or an ioredis `Redis` or `Cluster` instance (never closed by the store). On a cluster, events go
   * over sharded pub/sub, which needs Redis 7 (see docs/redis-cluster.md).
   * @defaultValue `'redis://127.0.0.1:6379'`
   */
  connection?: RedisConnection;
  /** Start of every key, as the hash tag `{prefix}`: deployments sharing a Redis use different prefixes. @defaultValue `'celeriac'` */
  prefix?: string;
  /** How long start-up may wait for Redis before failing with `RedisUnavailableError`, in ms. @defaultValue `10_000` */
  connectTimeout?: number;
  /**
   * How long a reserved message stays leased without a heartbeat, in ms. A worker that dies loses
   * its leases after this long and its messages are delivered again. Short by default, so a killed
   * worker's tasks start again elsewhere within seconds: the leases of a process are renewed by one
   * timer on its main thread, so a task that blocks that thread for longer than this minus
   * `heartbeatInterval` loses its lease, its writes are refused and it runs again elsewhere (run
   * CPU-bound tasks off the main thread, or raise this). @defaultValue `3_000`
   */
  visibilityTimeout?: number;
  /** How often this process extends the leases it holds (one round trip for all), in ms; below `visibilityTimeout`. @defaultValue a third of `visibilityTimeout` */
  heartbeatInterval?: number;
  /** How long a revocation is remembered, so a copy published or delayed later never runs, in ms. @defaultValue `86_400_000` (one day) */
  revokedTtl?: number;
  /** How long a task's record is kept after its last change, in ms (every change restarts it). @defaultValue `86_400_000` (one day) */
  resultTtl?: number;
  /** Most messages or record updates sent in one script call; bigger batches are split. @defaultValue `1_000` */
  maxBatch?: number;
  /** At most this many dead letters are kept; the oldest go first. @defaultValue `10_000` */
  deadLetterLimit?: number;
  /** Dead letters older than this are dropped, in ms. @defaultValue `604_800_000` (seven days) */
  deadLetterTtl?: number;
  /**
   * About how many events the queue-wide event stream keeps (a Redis stream trimmed with
   * `MAXLEN ~`, so up to a hundred more). @defaultValue `10_000`
   */
  eventLimit?: number;
  /**
   * Enqueues acknowledged only once replicas hold them: after each enqueue, Redis `WAIT`s until
   * `replicas` replicas have it, for at most `timeout` ms; fewer in time, and the enqueue rejects
   * with `NotReplicatedError` (the tasks are stored on the master and may still run). Redis
   * replicates asynchronously, so without this an enqueue the master acknowledged is lost if the
   * master dies before a replica copied it and the replica takes over (Sentinel or Cluster
   * failover). Costs a round trip to the replicas per enqueue batch, during which this process's
   * other calls wait behind it. Other writes (results, workflow steps published by workers) stay
   * asynchronous. See docs/redis-cluster.md. @defaultValue off
   */
  durable?: RedisDurableEnqueue;
  /**
   * Spreads every queue over this many partitions, each on its own hash slot (`{prefix}` for the
   * first, the home partition; `{prefix#1}`, `{prefix#2}`… for the others, see
   * docs/redis-cluster.md), so that on a Redis Cluster one queue's work is shared by as many
   * masters. A task's partition follows from its id (tasks enqueued with the same `partitionKey`
   * share one, in order); workers take from every partition in turn; pauses, rate limits, results,
   * revocations, the admin API and workflows work as with one. Change it only with the queues
   * drained: a task's partition depends on it. At most 256. @defaultValue `1` (one slot, as before)
   */
  partitions?: number;
  /**
   * Switches for comparison runs (benchmarks, bisecting a regression): every mechanism is on by
   * default, and turning one off changes speed, never behaviour. See docs/redis-internals.md.
   */
  tuning?: RedisStoreTuning;
}

/** The `durable` option: acknowledged enqueues are on this many replicas. */
export interface RedisDurableEnqueue {
  /** Replicas that must hold an enqueue before it resolves (Redis `WAIT`); at least 1. */
  replicas: number;
  /** How long to wait for them, in ms. */
  timeout: number;
}

/** The Redis store's performance mechanisms that can be switched off (see `RedisStoreOptions.tuning`). */
export interface RedisStoreTuning {
  /** An enqueue leases new work to this process's idle reserve in the same call (and its waiters follow it here). @defaultValue `true` */
  handOff?: boolean;
  /** A reserve that took the last ready message lets the next one sleep without a script call. @defaultValue `true` */
  drainedHint?: boolean;
  /** A lone enqueue and a settle of one shape take scripts of their own instead of the general ones. @defaultValue `true` */
  shortPaths?: boolean;
}

export interface ResolvedRedisStoreOptions {
  connection: RedisConnection;
  prefix: string;
  connectTimeout: number;
  visibilityTimeout: number;
  heartbeatInterval: number;
  revokedTtl: number;
  resultTtl: number;
  maxBatch: number;
  deadLetterLimit: number;
  deadLetterTtl: number;
  eventLimit: number;
  taskListLimit: number;
  taskListTtl: number;
  durable: Readonly<RedisDurableEnqueue> | undefined;
  partitions: number;
  tuning: Readonly<Required<RedisStoreTuning>>;
}

export const DEFAULT_REDIS_STORE_OPTIONS = {
  connection: 'redis://127.0.0.1:6379',
  prefix: 'celeriac',
  connectTimeout: 10_000,
  visibilityTimeout: 3_000,
  heartbeatInterval: 1_000,
  revokedTtl: 86_400_000,
  resultTtl: 86_400_000,
  maxBatch: 1_000,
  deadLetterLimit: 10_000,
  deadLetterTtl: 604_800_000,
  eventLimit: 10_000,
  ...DEFAULT_TASK_LIST_RETENTION,
  durable: undefined,
  partitions: 1,
  tuning: { handOff: true, drainedHint: true, shortPaths: true },
} as const;

/** Checks every option at once (an `InvalidOptionError` naming the option) and fills in the defaults. */
export function resolveStoreOptions(options: RedisStoreOptions, where = 'createRedisStore()'): ResolvedRedisStoreOptions {
  const check = optionChecks(where);
  const o = check.object(options) as RedisStoreOptions;
  check.unknownKeys(o, Object.keys(DEFAULT_REDIS_STORE_OPTIONS));
  const d = DEFAULT_REDIS_STORE_OPTIONS;
  if (o.connection !== undefined) check.connection(o.connection);
  const visibilityTimeout = o.visibilityTimeout === undefined ? d.visibilityTimeout : check.positiveInt('visibilityTimeout', o.visibilityTimeout);
  const heartbeatInterval =
    o.heartbeatInterval === undefined ? Math.max(1, Math.floor(visibilityTimeout / 3)) : check.positiveInt('heartbeatInterval', o.heartbeatInterval);
  if (heartbeatInterval >= visibilityTimeout) {
    check.fail('heartbeatInterval', `(${heartbeatInterval} ms) must be below visibilityTimeout (${visibilityTimeout} ms), or leases expire between heartbeats`);
  }
  return {
    connection: o.connection ?? d.connection,
    prefix: o.prefix === undefined ? d.prefix : check.prefix(o.prefix),
    connectTimeout: o.connectTimeout === undefined ? d.connectTimeout : check.positiveInt('connectTimeout', o.connectTimeout),
    visibilityTimeout,
    heartbeatInterval,
    revokedTtl: o.revokedTtl === undefined ? d.revokedTtl : check.positiveInt('revokedTtl', o.revokedTtl),
    resultTtl: o.resultTtl === undefined ? d.resultTtl : check.positiveInt('resultTtl', o.resultTtl),
    maxBatch: o.maxBatch === undefined ? d.maxBatch : check.positiveInt('maxBatch', o.maxBatch),
    deadLetterLimit: o.deadLetterLimit === undefined ? d.deadLetterLimit : check.positiveInt('deadLetterLimit', o.deadLetterLimit),
    deadLetterTtl: o.deadLetterTtl === undefined ? d.deadLetterTtl : check.positiveInt('deadLetterTtl', o.deadLetterTtl),
    eventLimit: o.eventLimit === undefined ? d.eventLimit : check.positiveInt('eventLimit', o.eventLimit),
    taskListLimit: o.taskListLimit === undefined ? d.taskListLimit : check.positiveInt('taskListLimit', o.taskListLimit),
    taskListTtl: o.taskListTtl === undefined ? d.taskListTtl : check.positiveInt('taskListTtl', o.taskListTtl),
    durable: o.durable === undefined ? undefined : resolveDurable(o.durable, check),
    partitions: o.partitions === undefined ? d.partitions : check.partitions(o.partitions),
    tuning: resolveTuning(o.tuning, check),
  };
}

function resolveDurable(given: RedisDurableEnqueue, check: ReturnType<typeof optionChecks>): RedisDurableEnqueue {
  const d = check.object(given, 'durable') as Partial<RedisDurableEnqueue>;
  check.unknownKeys(d, ['replicas', 'timeout'], 'durable.');
  if (d.replicas === undefined) check.fail('durable.replicas', 'is required: how many replicas must hold an enqueue before it resolves');
  if (d.timeout === undefined) check.fail('durable.timeout', 'is required: how long to wait for the replicas, in ms');
  return { replicas: check.positiveInt('durable.replicas', d.replicas), timeout: check.positiveInt('durable.timeout', d.timeout) };
}

function resolveTuning(given: RedisStoreTuning | undefined, check: ReturnType<typeof optionChecks>): Required<RedisStoreTuning> {
  const defaults = DEFAULT_REDIS_STORE_OPTIONS.tuning;
  if (given === undefined) return { ...defaults };
  const t = check.object(given, 'tuning') as RedisStoreTuning;
  check.unknownKeys(t, Object.keys(defaults), 'tuning.');
  const flag = (name: keyof RedisStoreTuning): boolean => {
    const value = t[name];
    if (value === undefined) return defaults[name];
    if (typeof value !== 'boolean') check.fail(`tuning.${name}`, `must be a boolean, got ${JSON.stringify(value)}`);
    return value as boolean;
  };
  return { handOff: flag('handOff'), drainedHint: flag('drainedHint'), shortPaths: flag('shortPaths') };
}
