import type { Dashboard, RouteGroup } from '../dashboard.js';
import { action } from '../action.js';
import { notFound } from '../errors.js';
import { name, onlyKeys } from '../params.js';

/** The `queues` resource, and pause / resume / purge of one queue. */
export function queueRoutes(dashboard: Dashboard): RouteGroup {
  const { app } = dashboard;
  /** Actions name a queue the store knows: a typo must not create (and pause) a new one. */
  const known = async (value: string) => {
    const queue = name('queue name', value);
    if ((await app.queues.get(queue)) === null) throw notFound(`No queue is named ${JSON.stringify(queue)}`);
    return queue;
  };
  return {
    resources: {
      queues: (query) => {
        onlyKeys(query, []);
        return () => app.queues.list();
      },
    },
    register(instance) {
      action<{ name: string }>(instance, dashboard, '/api/queues/:name/pause', async (params) => {
        const queue = await known(params.name);
        await app.queues.pause(queue);
        return { ok: true, message: `Paused ${queue}: workers take none of its tasks until it is resumed` };
      });
      action<{ name: string }>(instance, dashboard, '/api/queues/:name/resume', async (params) => {
        const queue = await known(params.name);
        await app.queues.resume(queue);
        return { ok: true, message: `Resumed ${queue}` };
      });
      action<{ name: string }>(instance, dashboard, '/api/queues/:name/purge', async (params) => {
        const queue = await known(params.name);
        const count = await app.queues.purge(queue);
        return { ok: true, message: `Purged ${count} waiting or delayed ${count === 1 ? 'task' : 'tasks'} from ${queue}`, count };
      });
    },
  };
}
