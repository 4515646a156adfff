import type { Overview, TaskList } from '../../../src/wire-types.js';
import { type BrowserQuery, TaskBrowser, taskListKey } from '../components/task-browser.js';
import { useLive } from '../live.js';
import { type Route, href, navigate } from '../router.js';

/** The browser's query from the page's URL: state (default FAILURE, what people look for), task name, offset. */
export function browserQuery(route: Route): BrowserQuery {
  const offset = Number(route.query.get('offset') ?? 0);
  return { state: route.query.get('state') ?? 'FAILURE', task: route.query.get('task') ?? '', offset: Number.isSafeInteger(offset) && offset > 0 ? offset : 0 };
}

/** Every task, by state, whatever its queue. */
export function TasksPage({ route }: { route: Route }) {
  const query = browserQuery(route);
  const key = taskListKey(query);
  const live = useLive(['overview', key]);
  const overview = live.overview as Overview | undefined;
  return (
    <>
      <h1 tabIndex={-1}>Tasks</h1>
      <TaskBrowser
        heading="In every queue"
        query={query}
        page={live[key] as TaskList | undefined}
        counts={overview?.counts}
        onQuery={(q) => navigate(href('tasks', { state: q.state, task: q.task, offset: q.offset || undefined }))}
      />
    </>
  );
}
