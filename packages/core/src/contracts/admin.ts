import type { TaskState } from '../state/states.js';
import type { TaskRecord } from './record.js';

/** One queue as `app.queues.list()` shows it. */
export interface QueueInfo {
  name: string;
  /** Messages ready to run now. */
  waiting: number;
  /** Messages waiting for their time (a countdown, an eta, a retry's backoff). */
  delayed: number;
  /** Messages leased to a worker (running, or about to be). */
  running: number;
  /** When the oldest waiting message was first requested (its `createdAt`, ms since the epoch), or `null` if none waits. */
  oldestWaitingAt: number | null;
  /** A paused queue keeps accepting messages, but no worker reserves from it until it is resumed. */
  paused: boolean;
}

/** Which records `TaskStore.listTasks` returns: one state, maybe one task name and one queue, by pages. */
export interface TaskQuery {
  state: TaskState;
  /** Only records of this task name. */
  task?: string;
  /** Only tasks sent to this queue (an unknown queue lists nothing). `limit` and `offset` count the tasks that match. */
  queue?: string;
  limit: number;
  offset: number;
}

/** One step of a task's history: a change of state. */
export interface TimelineEntry {
  state: TaskState;
  /** When it happened, ms since the epoch. */
  at: number;
  attempt: number;
  /** The worker running that attempt (STARTED and the states after it), when known. */
  worker?: string;
}

/** Everything known of one task: its record, what it was called with, and how it got there. */
export interface TaskView extends TaskRecord {
  /** The arguments it was called with, or `null` if the store no longer has them. */
  args: unknown[] | null;
  /** The queue it was sent to, or `null` if unknown. */
  queue: string | null;
  /**
   * Its changes of state, oldest first (repeated user states such as PROGRESS collapsed into
   * one). Compact by design: a store keeps what it needs to show who ran each attempt and when.
   */
  timeline: TimelineEntry[];
}

/** How long finished tasks stay listed (`app.tasks.list`), per state: like BullMQ's `removeOnComplete`. */
export interface TaskListRetention {
  /** At most this many per finished state (SUCCESS, FAILURE, REVOKED); the oldest drop out first. @defaultValue `10_000` */
  taskListLimit?: number;
  /** Finished tasks older than this drop out of the lists, in ms. @defaultValue `86_400_000` (one day) */
  taskListTtl?: number;
}

export const DEFAULT_TASK_LIST_RETENTION = { taskListLimit: 10_000, taskListTtl: 86_400_000 } as const;

/** The reason stored in the REVOKED record of a task removed by `purgeQueue`. */
export const PURGED_REASON = 'purged';
