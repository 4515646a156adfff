import { schedule, task } from '@celeriac/core';
import type { Database } from '@celeriac/sample-support';
import { REPORT_NAME, computeReport } from './orders-report.js';
import { saveSnapshot } from './snapshots.js';

/** Registered name: also the path of the manual trigger, `POST /api/tasks/report.refresh`. */
export const REFRESH_TASK = 'report.refresh';

/** What a run returns, so `/api/status/:id` shows what it did. */
export interface RefreshOutcome {
  report: string;
  computedAt: string;
  durationMs: number;
  orders: number;
  /** False when a newer snapshot was already stored (an overlapping run finished first). */
  stored: boolean;
}

/**
 * The tasks class is made per app because decorator options are fixed when a class is defined,
 * and the interval comes from configuration (`REPORT_EVERY_MS`, or a short one in tests).
 */
export function defineReportTasks(everyMs: number) {
  class ReportTasks {
    constructor(readonly db: Database) {}

    /**
     * Runs the slow aggregate off the request path and stores it for `GET /report`. The time
     * limit frees the worker slot if the query hangs (a lock, a lost connection).
     */
    @schedule({ every: everyMs })
    @task({ name: REFRESH_TASK, timeLimit: 5 * 60_000 })
    async refresh(): Promise<RefreshOutcome> {
      const report = await computeReport(this.db);
      const stored = await saveSnapshot(this.db, REPORT_NAME, report);
      return {
        report: REPORT_NAME,
        computedAt: report.computedAt.toISOString(),
        durationMs: report.durationMs,
        orders: report.data.totals.orders,
        stored,
      };
    }
  }
  return ReportTasks;
}
