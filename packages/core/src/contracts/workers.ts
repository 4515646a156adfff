import type { PoolKind } from '../options/task-options.js';

/** A task a worker is running, as its heartbeat tells it. */
export interface RunningTaskInfo {
  /** The task id. */
  id: string;
  /** The task's registered name. */
  task: string;
  attempt: number;
  /** When this worker started it, in ms since the epoch. */
  startedAt: number;
}

/**
 * What a live worker says of itself (Celery's `inspect stats` / `active`), refreshed with every
 * heartbeat and kept by the store until the worker closes or its TTL passes without one.
 */
export interface WorkerInfo {
  /** The worker's id: `celeriac@<host>:<pid>:<random>` (`Worker.id`). */
  id: string;
  host: string;
  pid: number;
  /** The version of `@celeriac/core` it runs. */
  version: string;
  /** The store's kind, e.g. `RedisStore`. */
  store: string;
  queues: string[];
  /** The task names it serves (Celery's `inspect registered`). */
  tasks: string[];
  concurrency: number;
  pool: PoolKind;
  /** Tasks running at its last heartbeat. */
  running: RunningTaskInfo[];
  /** Runs finished since it started (any outcome), and those of them that failed. */
  processed: number;
  failed: number;
  /** In ms since the epoch. */
  startedAt: number;
  lastHeartbeatAt: number;
  /** How often it sends a heartbeat, in ms: it is gone once three are missed. */
  heartbeatInterval: number;
  /** Whether it appends its events to the queue-wide stream (`app.events`): the app's or the worker's `events` option. */
  events: boolean;
}

/** The store lost or regained its connection to its server (`TaskStore.onConnectionChange`). */
export interface ConnectionChange {
  connected: boolean;
  /** Why it was lost, when known. */
  error?: string;
}

export type ConnectionListener = (change: ConnectionChange) => void;

/** Receives the messages of a broadcast (`TaskStore.onBroadcast`). */
export type BroadcastListener = (message: string) => void;

/** Receives batches of queue-wide events (`TaskStore.followEvents`), in the order they were appended. */
export type EventsListener = (events: readonly string[]) => void;
