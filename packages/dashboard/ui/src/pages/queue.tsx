import type { Overview, TaskList } from '../../../src/wire-types.js';
import { ActionButton } from '../components/action-button.js';
import { Stat } from '../components/stat.js';
import { PausedBadge } from '../components/state-badge.js';
import { TaskBrowser, taskListKey } from '../components/task-browser.js';
import { count, duration, useNow } from '../format.js';
import { useLive } from '../live.js';
import { type Route, href, navigate } from '../router.js';
import { browserQuery } from './tasks.js';

/** One queue: its counts, pause / resume / purge, and the browser of its tasks. */
export function QueuePage({ name, route }: { name: string; route: Route }) {
  const query = browserQuery(route);
  const key = taskListKey(query, name);
  const live = useLive(['overview', key]);
  const overview = live.overview as Overview | undefined;
  const now = useNow();
  const queue = overview?.queues.find((q) => q.name === name);
  const path = (action: string) => `queues/${encodeURIComponent(name)}/${action}`;
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>
          Queue <span class="mono">{name}</span> {queue === undefined ? null : <PausedBadge paused={queue.paused} />}
        </h1>
        {queue === undefined ? null : (
          <div class="actions">
            {queue.paused ? <ActionButton path={path('resume')} label="Resume" primary /> : <ActionButton path={path('pause')} label="Pause" />}
            <ActionButton
              path={path('purge')}
              label="Purge"
              danger
              confirm={{
                title: `Purge queue ${name}?`,
                body: `Its ${count(queue.waiting + queue.delayed)} waiting and delayed tasks are deleted and will not run (they become REVOKED). Running tasks go on.`,
              }}
            />
          </div>
        )}
      </div>
      {overview !== undefined && queue === undefined ? <p class="empty">The store knows no queue named {name}.</p> : null}
      <dl class="stats" aria-label={`Queue ${name}`}>
        <Stat label="Waiting" value={queue === undefined ? '…' : count(queue.waiting)} />
        <Stat label="Delayed" value={queue === undefined ? '…' : count(queue.delayed)} />
        <Stat label="Running" value={queue === undefined ? '…' : count(queue.running)} />
        <Stat label="Oldest waiting" value={queue === undefined ? '…' : queue.oldestWaitingAt === null ? '–' : duration(now - queue.oldestWaitingAt)} />
      </dl>
      <TaskBrowser
        heading="Tasks"
        queue={name}
        query={query}
        page={live[key] as TaskList | undefined}
        // The counts by state are of every queue: the state tabs of one queue's page show none.
        counts={undefined}
        onQuery={(q) => navigate(href('queues', name, { state: q.state, task: q.task, offset: q.offset || undefined }))}
      />
    </>
  );
}
