import type { WorkerInfo } from '../../../src/wire-types.js';
import { type Column, DataTable } from '../components/data-table.js';
import { count, duration, relative, useNow } from '../format.js';
import { useLive } from '../live.js';
import { href } from '../router.js';

/** Running tasks listed per worker at most; the rest are counted. */
const SHOWN_RUNNING = 5;
const COLUMNS: Column[] = [
  { label: 'Worker' },
  { label: 'Pool' },
  { label: 'Busy', num: true },
  { label: 'Running tasks' },
  { label: 'Processed', num: true },
  { label: 'Failed', num: true },
  { label: 'Queues' },
  { label: 'Up' },
  { label: 'Heartbeat' },
];

/** Every live worker: pool, concurrency, the tasks it runs, processed and failed counts. */
export function WorkersPage() {
  const workers = useLive(['workers']).workers as WorkerInfo[] | undefined;
  const now = useNow();
  return (
    <>
      <h1 tabIndex={-1}>Workers</h1>
      {workers === undefined ? (
        <p class="empty">Loading…</p>
      ) : workers.length === 0 ? (
        <p class="empty">No worker is online. Start one with celeriac worker --app … or app.worker().start().</p>
      ) : (
        <div class="panel table-scroll">
          <DataTable caption="Live workers" columns={COLUMNS}>
            {workers.map((w) => (
              <tr key={w.id} data-worker={w.id}>
                <th scope="row">
                  <span class="mono">{w.id}</span>
                  <span class="sub muted">
                    {w.host} · pid {w.pid} · core {w.version}
                    {w.events ? ' · events' : ''}
                  </span>
                </th>
                <td>{w.pool}</td>
                <td class="num">
                  <meter min={0} max={w.concurrency} value={w.running.length} aria-label={`${w.running.length} of ${w.concurrency} slots busy`} />
                  <span class="sub">
                    {w.running.length} / {w.concurrency}
                  </span>
                </td>
                <td>
                  {w.running.length === 0 ? (
                    <span class="muted">idle</span>
                  ) : (
                    <ul class="plain">
                      {w.running.slice(0, SHOWN_RUNNING).map((t) => (
                        <li key={t.id}>
                          <a href={href('tasks', t.id)}>{t.task}</a> <span class="muted">for {duration(now - t.startedAt)}</span>
                        </li>
                      ))}
                      {w.running.length > SHOWN_RUNNING ? <li class="muted">and {w.running.length - SHOWN_RUNNING} more</li> : null}
                    </ul>
                  )}
                </td>
                <td class="num">{count(w.processed)}</td>
                <td class={`num${w.failed > 0 ? ' bad' : ''}`}>{count(w.failed)}</td>
                <td>{w.queues.join(', ')}</td>
                <td>{duration(now - w.startedAt)}</td>
                <td>{relative(w.lastHeartbeatAt, now)}</td>
              </tr>
            ))}
          </DataTable>
        </div>
      )}
    </>
  );
}
