import type { DeadLetterList } from '../../wire-types.js';
import type { Dashboard, RouteGroup } from '../dashboard.js';
import { action } from '../action.js';
import { notFound } from '../errors.js';
import { letterId, onlyKeys, paging } from '../params.js';

const PAGE = 25;

/** The `dead-letters` resource (oldest first, by pages), requeue or purge one, purge all. */
export function deadLetterRoutes(dashboard: Dashboard): RouteGroup {
  const { app } = dashboard;
  return {
    resources: {
      'dead-letters': (query) => {
        onlyKeys(query, ['offset', 'limit']);
        const { offset, limit } = paging(query, PAGE);
        return async (): Promise<DeadLetterList> => ({ offset, limit, ...(await app.deadLetters.list({ offset, limit })) });
      },
    },
    register(instance) {
      action<{ id: string }>(instance, dashboard, '/api/dead-letters/:id/requeue', async (params) => {
        const id = letterId(params.id);
        if (!(await app.deadLetters.requeue(id))) throw notFound(`No dead letter has id ${JSON.stringify(id)}`);
        return { ok: true, message: `Requeued ${id}: it runs again as a new attempt` };
      });
      action<{ id: string }>(instance, dashboard, '/api/dead-letters/:id/purge', async (params) => {
        const id = letterId(params.id);
        if ((await app.deadLetters.purge([id])) === 0) throw notFound(`No dead letter has id ${JSON.stringify(id)}`);
        return { ok: true, message: `Deleted dead letter ${id}`, count: 1 };
      });
      action(instance, dashboard, '/api/dead-letters/purge', async () => {
        const count = await app.deadLetters.purge();
        return { ok: true, message: `Deleted ${count} dead ${count === 1 ? 'letter' : 'letters'}`, count };
      });
    },
  };
}
