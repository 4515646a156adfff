import { schedule, task } from '@celeriac/core';
import type { Database } from '@celeriac/sample-support';
import { insertRandomOrders } from './insert-orders.js';

export const SIMULATE_TASK = 'orders.simulate';

/**
 * Stands in for the shop: a periodic task adding orders, so the table keeps growing and each
 * report differs from the last. A class per app for the same reason as `defineReportTasks`.
 */
export function defineOrderSimulator(everyMs: number, ordersPerRun: number) {
  class OrderSimulator {
    constructor(readonly db: Database) {}

    @schedule({ every: everyMs })
    @task({ name: SIMULATE_TASK })
    async insertOrders(): Promise<{ inserted: number }> {
      return { inserted: await insertRandomOrders(this.db, ordersPerRun) };
    }
  }
  return OrderSimulator;
}
