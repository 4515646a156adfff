import type { DeadLetter, QueueInfo, ScheduleInfo, TaskRecord, TaskState, TaskView, TimelineEntry, WorkerInfo } from '@celeriac/core';

/** `GET <prefix>/api/config`: what the page needs to know once. */
export interface DashboardConfig {
  title: string;
  /** Actions are refused (403) and the page shows none. */
  readOnly: boolean;
  /** How often the server reads the admin API for open pages, in ms. */
  refreshInterval: number;
}

/** Task names the app registers or its live workers serve, with the queue each is routed to when known. */
export interface KnownTask {
  name: string;
  /** The queue of the app's own registration, or `null` for a task only workers announce. */
  queue: string | null;
}

/** Finished runs per time bucket, oldest first: from the event stream and the workers' heartbeat counters. */
export interface Throughput {
  /** The width of one bucket, in ms. */
  bucketMs: number;
  /** Each bucket's start, in ms since the epoch. */
  at: number[];
  succeeded: number[];
  failed: number[];
}

/** `GET <prefix>/api/overview`, and the `overview` resource of the live stream. */
export interface Overview {
  queues: QueueInfo[];
  counts: Record<TaskState, number>;
  workers: { online: number; concurrency: number; running: number };
  throughput: Throughput;
}

/** `GET <prefix>/api/tasks`: a page of tasks in one state, newest change first. */
export interface TaskList {
  state: TaskState;
  task: string | null;
  /** Only tasks sent to this queue, or `null` for every queue. */
  queue: string | null;
  offset: number;
  limit: number;
  tasks: TaskRecord[];
  /** The offset of the next page, or `null` if this is the last. */
  next: number | null;
}

/** `GET <prefix>/api/dead-letters`: a page of dead letters, oldest first. */
export interface DeadLetterList {
  offset: number;
  limit: number;
  letters: DeadLetter[];
  next: number | null;
}

/** What the live stream (`GET <prefix>/api/live?watch=…`) carries: one resource, whenever it changed. */
export interface LiveMessage<T = unknown> {
  /** The watched resource, as the client named it, e.g. `overview` or `tasks?state=FAILURE&offset=0`. */
  key: string;
  data: T;
}

/** The task stream (`GET <prefix>/api/tasks/:id/live`): the full view on every change of state, the record alone on progress. */
export type TaskLiveMessage = { type: 'view'; view: TaskView } | { type: 'record'; record: TaskRecord };

/** What an action answers with on success. */
export interface ActionResult {
  ok: true;
  /** What it did, for people, e.g. `Purged 12 tasks from emails`. */
  message: string;
  /** How many tasks or letters it affected, where that is a count. */
  count?: number;
}

export type { DeadLetter, QueueInfo, ScheduleInfo, TaskRecord, TaskState, TaskView, TimelineEntry, WorkerInfo };
