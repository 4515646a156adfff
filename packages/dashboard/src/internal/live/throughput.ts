import type { CeleriacEvent, WorkerInfo } from '@celeriac/core';
import type { Throughput } from '../../wire-types.js';

/** How many buckets the chart shows. */
const BUCKETS = 180;

interface Seen {
  at: number;
  processed: number;
  failed: number;
}

/**
 * Finished runs per time bucket, from the two sources a deployment has: the queue-wide event
 * stream (`task-succeeded`, `task-failed`), appended by workers that run with `events`, and the
 * processed / failed counters in every worker's heartbeat, for workers that do not. Each worker
 * is counted from one source only (its `events` flag says which), so nothing is counted twice.
 * A heartbeat's runs are spread evenly over the time since the worker's previous heartbeat: an
 * average, where the event stream gives each run its own time.
 */
export class ThroughputTracker {
  readonly #bucketMs: number;
  readonly #succeeded = new Map<number, number>();
  readonly #failed = new Map<number, number>();
  readonly #seen = new Map<string, Seen>();

  constructor(bucketMs: number) {
    this.#bucketMs = bucketMs;
  }

  /** One event of the queue-wide stream. */
  readonly event = (event: CeleriacEvent): void => {
    if (event.type === 'task-succeeded') this.#add(this.#succeeded, event.at, event.at, 1);
    else if (event.type === 'task-failed') this.#add(this.#failed, event.at, event.at, 1);
  };

  /** The live workers as just listed: the runs of those without `events` since their previous heartbeat. */
  workers(workers: readonly WorkerInfo[]): void {
    const live = new Set<string>();
    for (const worker of workers) {
      live.add(worker.id);
      if (worker.events) continue;
      const seen = this.#seen.get(worker.id);
      this.#seen.set(worker.id, { at: worker.lastHeartbeatAt, processed: worker.processed, failed: worker.failed });
      // The first sight of a worker is its baseline: its runs before that are not in the window.
      if (seen === undefined || worker.lastHeartbeatAt <= seen.at) continue;
      const failed = Math.max(0, worker.failed - seen.failed);
      const succeeded = Math.max(0, worker.processed - seen.processed - failed);
      this.#add(this.#succeeded, seen.at, worker.lastHeartbeatAt, succeeded);
      this.#add(this.#failed, seen.at, worker.lastHeartbeatAt, failed);
    }
    for (const id of this.#seen.keys()) if (!live.has(id)) this.#seen.delete(id);
  }

  /**
   * The last BUCKETS whole buckets before `now`, oldest first, empty ones as 0. The bucket `now`
   * is in is left out: half filled, it would draw every chart's last point as a drop.
   */
  series(now = Date.now()): Throughput {
    const last = this.#bucket(now) - this.#bucketMs;
    const first = last - (BUCKETS - 1) * this.#bucketMs;
    for (const map of [this.#succeeded, this.#failed]) for (const at of map.keys()) if (at < first) map.delete(at);
    const at: number[] = [];
    for (let t = first; t <= last; t += this.#bucketMs) at.push(t);
    const round = (n: number) => Math.round(n * 100) / 100;
    return { bucketMs: this.#bucketMs, at, succeeded: at.map((t) => round(this.#succeeded.get(t) ?? 0)), failed: at.map((t) => round(this.#failed.get(t) ?? 0)) };
  }

  /** Adds `count` runs spread evenly over `(from, to]` (a single instant when they are equal). */
  #add(map: Map<number, number>, from: number, to: number, count: number): void {
    if (count === 0) return;
    if (to <= from) {
      const bucket = this.#bucket(to);
      map.set(bucket, (map.get(bucket) ?? 0) + count);
      return;
    }
    const span = to - from;
    // Runs older than the window would only be dropped again.
    for (let start = this.#bucket(Math.max(from, to - BUCKETS * this.#bucketMs)); start < to; start += this.#bucketMs) {
      const overlap = Math.min(to, start + this.#bucketMs) - Math.max(from, start);
      if (overlap > 0) map.set(start, (map.get(start) ?? 0) + (count * overlap) / span);
    }
  }

  #bucket(at: number): number {
    return Math.floor(at / this.#bucketMs) * this.#bucketMs;
  }
}
