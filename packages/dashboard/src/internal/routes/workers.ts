import type { Dashboard, RouteGroup } from '../dashboard.js';
import { onlyKeys } from '../params.js';

/** The `workers` resource: every live worker with its pool, concurrency, running tasks and counts. */
export function workerRoutes(dashboard: Dashboard): RouteGroup {
  const { app, throughput } = dashboard;
  return {
    resources: {
      workers: (query) => {
        onlyKeys(query, []);
        return async () => {
          const workers = await app.workers.list();
          throughput.workers(workers);
          return workers;
        };
      },
    },
  };
}
