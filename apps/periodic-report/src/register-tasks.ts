import type { Celeriac, TaskHandle } from '@celeriac/core';
import type { Database } from '@celeriac/sample-support';
import { defineOrderSimulator } from './orders/order-simulator.js';
import { type RefreshOutcome, defineReportTasks } from './report/report-tasks.js';

export interface TaskSettings {
  db: Database;
  reportEveryMs: number;
  simulate: { everyMs: number; ordersPerRun: number } | false;
}

/**
 * Registers the report task and, if asked, the order simulator on `celeriac`: what the server
 * (buildApp) and the worker's app module (app.ts) share, so both know the same tasks and schedules.
 * Returns the refresh handle and every schedule's interval (for the scheduler's tick).
 */
export function registerTasks(celeriac: Celeriac, settings: TaskSettings): { refresh: TaskHandle<[], RefreshOutcome>; intervals: number[] } {
  const ReportTasks = defineReportTasks(settings.reportEveryMs);
  const { refresh } = celeriac.register(new ReportTasks(settings.db));
  const intervals = [settings.reportEveryMs];
  if (settings.simulate !== false) {
    const OrderSimulator = defineOrderSimulator(settings.simulate.everyMs, settings.simulate.ordersPerRun);
    celeriac.register(new OrderSimulator(settings.db));
    intervals.push(settings.simulate.everyMs);
  }
  return { refresh, intervals };
}
