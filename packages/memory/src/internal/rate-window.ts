import type { RateLimit } from '@celeriac/core/adapter';

/**
 * Sliding-window rate limits by task name: at most `limit` starts in any `intervalMs` span.
 * A log of start times per task, trimmed as it is read.
 */
export class RateWindows {
  private readonly starts = new Map<string, number[]>();

  /** How many more starts `task` may have now. */
  capacity(task: string, limit: RateLimit, now: number): number {
    const log = this.trim(task, limit, now);
    return Math.max(0, limit.limit - log.length);
  }

  record(task: string, now: number): void {
    let log = this.starts.get(task);
    if (log === undefined) {
      log = [];
      this.starts.set(task, log);
    }
    log.push(now);
  }

  /** Ms until `task` may start again (0 if it may now). */
  waitFor(task: string, limit: RateLimit, now: number): number {
    const log = this.trim(task, limit, now);
    if (log.length < limit.limit) return 0;
    return (log[log.length - limit.limit] as number) + limit.intervalMs - now;
  }

  /** Ms until the first of these limited tasks may start again (infinite if none is held back). */
  nextOpening(rateLimits: Readonly<Record<string, RateLimit>> | undefined): number {
    let soonest = Number.POSITIVE_INFINITY;
    const now = Date.now();
    for (const [task, limit] of Object.entries(rateLimits ?? {})) {
      const wait = this.waitFor(task, limit, now);
      if (wait > 0) soonest = Math.min(soonest, wait);
    }
    return soonest;
  }

  private trim(task: string, limit: RateLimit, now: number): number[] {
    const log = this.starts.get(task) ?? [];
    let drop = 0;
    while (drop < log.length && (log[drop] as number) <= now - limit.intervalMs) drop++;
    if (drop > 0) log.splice(0, drop);
    return log;
  }
}
