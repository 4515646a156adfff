import type { Dashboard, RouteGroup } from '../dashboard.js';
import { action } from '../action.js';
import { notFound } from '../errors.js';
import { name, onlyKeys } from '../params.js';

/** The `schedules` resource (next and last run, paused), and pause / resume of one schedule. */
export function scheduleRoutes(dashboard: Dashboard): RouteGroup {
  const { app } = dashboard;
  const known = async (value: string) => {
    const schedule = name('schedule name', value);
    if (!(await app.schedules.list()).some((s) => s.name === schedule)) throw notFound(`No schedule is named ${JSON.stringify(schedule)}`);
    return schedule;
  };
  return {
    resources: {
      schedules: (query) => {
        onlyKeys(query, []);
        return () => app.schedules.list();
      },
    },
    register(instance) {
      action<{ name: string }>(instance, dashboard, '/api/schedules/:name/pause', async (params) => {
        const schedule = await known(params.name);
        await app.schedules.pause(schedule);
        return { ok: true, message: `Paused schedule ${schedule}` };
      });
      action<{ name: string }>(instance, dashboard, '/api/schedules/:name/resume', async (params) => {
        const schedule = await known(params.name);
        await app.schedules.resume(schedule);
        return { ok: true, message: `Resumed schedule ${schedule}` };
      });
    },
  };
}
