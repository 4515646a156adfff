import type { KnownTask, TaskList } from '../../wire-types.js';
import type { Dashboard, RouteGroup } from '../dashboard.js';
import { action } from '../action.js';
import { conflict, notFound } from '../errors.js';
import { onlyKeys, optionalName, paging, state, taskId } from '../params.js';

const PAGE = 25;

/** The `tasks` (by state) and `task-names` resources; one task's view; retry and revoke. */
export function taskRoutes(dashboard: Dashboard): RouteGroup {
  const { app } = dashboard;
  return {
    resources: {
      tasks: (query) => {
        onlyKeys(query, ['state', 'task', 'queue', 'offset', 'limit']);
        const listed = state(query.get('state'));
        const task = optionalName(query, 'task', 'task name');
        const queue = optionalName(query, 'queue', 'queue name');
        const { offset, limit } = paging(query, PAGE);
        return async (): Promise<TaskList> => {
          const page = await app.tasks.list({ state: listed, ...(task === null ? {} : { task }), ...(queue === null ? {} : { queue }), offset, limit });
          return { state: listed, task, queue, offset, limit, ...page };
        };
      },
      'task-names': (query) => {
        onlyKeys(query, []);
        return async (): Promise<KnownTask[]> => {
          const known = new Map<string, string | null>();
          for (const task of app.registry.names()) known.set(task, app.registry.get(task)?.options.queue ?? null);
          for (const worker of await app.workers.list()) for (const task of worker.tasks) if (!known.has(task)) known.set(task, null);
          return [...known].map(([task, queue]) => ({ name: task, queue })).sort((a, b) => a.name.localeCompare(b.name));
        };
      },
    },
    register(instance) {
      instance.get<{ Params: { id: string } }>('/api/tasks/:id', async (request) => {
        const id = taskId(request.params.id);
        const view = await app.tasks.view(id);
        if (view === null) throw notFound(`No task has id ${JSON.stringify(id)}: it was never enqueued, or its record has expired`);
        return view;
      });
      action<{ id: string }>(instance, dashboard, '/api/tasks/:id/retry', async (params) => {
        const id = taskId(params.id);
        const record = (await app.result(id).refresh()).record;
        if (record === null) throw notFound(`No task has id ${JSON.stringify(id)}`);
        if (!(await app.tasks.retry(id))) throw conflict(`Task ${id} is ${record.state}: only a FAILURE whose message is still kept can be retried`);
        return { ok: true, message: `Task ${id} will run again` };
      });
      action<{ id: string }>(instance, dashboard, '/api/tasks/:id/revoke', async (params) => {
        const id = taskId(params.id);
        const outcome = await app.revoke(id);
        if (outcome === 'unknown') throw notFound(`No task has id ${JSON.stringify(id)}`);
        if (outcome === 'finished') throw conflict(`Task ${id} has already finished`);
        return { ok: true, message: `Revoked task ${id}` };
      });
    },
  };
}
