import type { ScheduleInfo } from '../../../src/wire-types.js';
import { ActionButton } from '../components/action-button.js';
import { type Column, DataTable } from '../components/data-table.js';
import { PausedBadge } from '../components/state-badge.js';

const COLUMNS: Column[] = [{ label: 'Schedule' }, { label: 'Task' }, { label: 'Runs' }, { label: 'Next run' }, { label: 'Last run' }, { label: 'Status' }, { label: 'Actions', hidden: true }];
import { dateTime, relative, useNow } from '../format.js';
import { useLive } from '../live.js';
import { href } from '../router.js';

/** The app's periodic tasks: next and last run, pause / resume. */
export function SchedulesPage() {
  const schedules = useLive(['schedules']).schedules as ScheduleInfo[] | undefined;
  const now = useNow();
  const when = (at: number | null) =>
    at === null ? (
      '–'
    ) : (
      <time dateTime={new Date(at).toISOString()} title={dateTime(at)}>
        {relative(at, now)}
      </time>
    );
  return (
    <>
      <h1 tabIndex={-1}>Schedules</h1>
      {schedules === undefined ? (
        <p class="empty">Loading…</p>
      ) : schedules.length === 0 ? (
        <p class="empty">This app has no periodic task: add @schedule() to a task, or call app.schedule().</p>
      ) : (
        <div class="panel">
          <DataTable caption="Periodic tasks" columns={COLUMNS}>
            {schedules.map((s) => (
              <tr key={s.name} data-schedule={s.name}>
                <th scope="row" class="mono">
                  {s.name}
                </th>
                <td>
                  <a href={href('tasks', { state: 'SUCCESS', task: s.task })}>{s.task}</a>
                </td>
                <td>{s.describe}</td>
                <td>{when(s.nextRunAt)}</td>
                <td>{when(s.lastRunAt)}</td>
                <td>
                  <PausedBadge paused={s.paused} />
                </td>
                <td>
                  {s.paused ? (
                    <ActionButton path={`schedules/${encodeURIComponent(s.name)}/resume`} label="Resume" primary />
                  ) : (
                    <ActionButton path={`schedules/${encodeURIComponent(s.name)}/pause`} label="Pause" />
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        </div>
      )}
    </>
  );
}
