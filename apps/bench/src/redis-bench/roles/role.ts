import type { PayloadKind } from '../payload.js';

/**
 * The work of one process in a multi-process scenario, per library. The parent spawns each role in
 * a child process of its own (role-child.ts) so producer, worker and follower never share an event
 * loop, as in a real deployment: a web process enqueueing, a worker process running.
 */
export type TaskKind = PayloadKind | 'progress';

/** Progress updates each `progress` task reports before it returns. */
export const PROGRESS_UPDATES = 10;

export interface WorkerHandle {
  /** Starts consuming; resolves once started. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** What a follower heard: every task's updates in order, then its completion. */
export interface FollowReport {
  /** When the last expected event was heard (ms since the epoch). */
  lastHeardAt: number;
  /** Tasks whose progress updates arrived out of order or incomplete before completion. */
  incomplete: number;
}

export interface Roles {
  /** Connects a worker at `concurrency` serving `kind` tasks, not consuming until `start()`. */
  worker(concurrency: number, kind: TaskKind): Promise<WorkerHandle>;
  /**
   * Sends `count` `kind` tasks one by one at `rate` per second, each awaited for its result the
   * library's own way; resolves with each task's latency in ms, from when it was due to be sent
   * (so a producer that falls behind is not excused: no coordinated omission) until its result
   * was heard.
   */
  steady(rate: number, count: number, kind: PayloadKind): Promise<number[]>;
  /** `count` tasks one at a time: send, await the result, send the next. Latencies in ms. */
  sequential(count: number): Promise<number[]>;
  /**
   * Enqueues `count` progress tasks (untimed), then follows them all; `ready` resolves once
   * listening, `done` once every update and completion has been heard.
   */
  follow(count: number): Promise<{ ready: Promise<void>; done: Promise<FollowReport> }>;
}

/** Milliseconds since the epoch, sub-millisecond and comparable across processes on one machine. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Calls `send(i, dueAt)` for i = 0 … count-1 at `rate` per second, on the timer: each tick sends
 * every task that is due by then, as requests arriving at a web process would be. `send` must not
 * be awaited by the caller's loop (tasks overlap); the returned promise settles once all sent
 * tasks' promises have.
 */
export async function paced<T>(rate: number, count: number, send: (i: number, dueAt: number) => Promise<T>): Promise<T[]> {
  const start = epochMs();
  const pending: Promise<T>[] = [];
  while (pending.length < count) {
    const due = Math.min(count, Math.floor(((epochMs() - start) * rate) / 1000) + 1);
    while (pending.length < due) {
      const i = pending.length;
      pending.push(send(i, start + (i * 1000) / rate));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return Promise.all(pending);
}

/** Checks one task's progress values heard so far: 1 … n in order. */
export function inOrder(values: readonly number[]): boolean {
  return values.length === PROGRESS_UPDATES && values.every((v, i) => v === i + 1);
}
