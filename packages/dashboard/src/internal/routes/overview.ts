import type { DashboardConfig, Overview } from '../../wire-types.js';
import type { Dashboard, RouteGroup } from '../dashboard.js';
import { onlyKeys } from '../params.js';

/** `GET api/config` (what the page needs once) and the `overview` resource: queues, counts, workers, throughput. */
export function overviewRoutes(dashboard: Dashboard): RouteGroup {
  const { app, throughput, options } = dashboard;
  return {
    resources: {
      overview: (query) => {
        onlyKeys(query, []);
        return async (): Promise<Overview> => {
          const [queues, counts, workers] = await Promise.all([app.queues.list(), app.tasks.counts(), app.workers.list()]);
          throughput.workers(workers);
          return {
            queues,
            counts,
            workers: { online: workers.length, concurrency: sum(workers.map((w) => w.concurrency)), running: sum(workers.map((w) => w.running.length)) },
            throughput: throughput.series(),
          };
        };
      },
    },
    register(instance) {
      const config: DashboardConfig = { title: options.title, readOnly: options.readOnly, refreshInterval: options.refreshInterval };
      instance.get('/api/config', async () => config);
    },
  };
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
