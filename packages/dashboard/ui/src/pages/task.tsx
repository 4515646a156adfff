import type { TaskView, TimelineEntry } from '../../../src/wire-types.js';
import { ActionButton } from '../components/action-button.js';
import { type Column, DataTable } from '../components/data-table.js';
import { JsonBlock } from '../components/json-block.js';
import { StateBadge } from '../components/state-badge.js';
import { dateTime, duration, relative, useNow } from '../format.js';
import { useTaskLive } from '../live.js';
import { href } from '../router.js';

const TERMINAL = new Set(['SUCCESS', 'FAILURE', 'REVOKED']);
const TIMELINE: Column[] = [{ label: 'Attempt', num: true }, { label: 'State' }, { label: 'At' }, { label: 'After' }, { label: 'Worker' }];

/** `{ current, total, status }` from a task's progress meta, when it reported any. */
function progressOf(view: TaskView): { current: number; total: number; status: string | undefined } | null {
  const meta = view.meta;
  if (meta === undefined || typeof meta.current !== 'number' || typeof meta.total !== 'number' || meta.total <= 0) return null;
  return { current: meta.current, total: meta.total, status: typeof meta.status === 'string' ? meta.status : undefined };
}

/** One task: arguments, result or error with its stack, attempts, its timeline, a live progress bar; retry and revoke. */
export function TaskPage({ id }: { id: string }) {
  const view = useTaskLive(id);
  const now = useNow();
  if (view === undefined) return <p class="empty">Loading task {id}…</p>;
  if (view === null) {
    return (
      <>
        <h1 tabIndex={-1}>Task not found</h1>
        <p class="empty">No task has id {id}: it was never enqueued, or its record has expired.</p>
      </>
    );
  }
  const running = !TERMINAL.has(view.state);
  const progress = progressOf(view);
  const percent = progress === null ? 0 : Math.min(100, Math.round((progress.current / progress.total) * 100));
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>
          {view.task} <StateBadge state={view.state} />
        </h1>
        <div class="actions">
          {view.state === 'FAILURE' ? <ActionButton path={`tasks/${encodeURIComponent(id)}/retry`} label="Retry" primary /> : null}
          {running ? (
            <ActionButton
              path={`tasks/${encodeURIComponent(id)}/revoke`}
              label="Revoke"
              danger
              confirm={{
                title: `Revoke task ${view.task}?`,
                body: view.state === 'PENDING' ? 'It will never start.' : 'Its signal is aborted: a task that checks it stops, and its outcome is REVOKED.',
              }}
            />
          ) : null}
        </div>
      </div>
      <dl class="facts">
        <dt>Id</dt>
        <dd class="mono">{view.id}</dd>
        <dt>Queue</dt>
        <dd>{view.queue === null ? '–' : <a href={href('queues', view.queue)}>{view.queue}</a>}</dd>
        <dt>Attempt</dt>
        <dd>{view.attempt}</dd>
        <dt>Worker</dt>
        <dd class="mono">{view.worker ?? '–'}</dd>
        <dt>Last change</dt>
        <dd>
          <time dateTime={new Date(view.updatedAt).toISOString()}>{dateTime(view.updatedAt)}</time> ({relative(view.updatedAt, now)})
        </dd>
      </dl>
      {progress !== null && (running || view.state === 'SUCCESS') ? (
        <section class="panel" aria-labelledby="progress-heading">
          <h2 id="progress-heading">Progress</h2>
          <div class="progress" data-percent={percent}>
            <progress id="task-progress" max={progress.total} value={progress.current} aria-describedby="progress-label" />
            <span id="progress-label">
              {progress.current} / {progress.total} ({percent}%){progress.status === undefined ? '' : ` — ${progress.status}`}
            </span>
          </div>
        </section>
      ) : null}
      {view.error !== undefined && view.state !== 'SUCCESS' ? <ErrorPanel view={view} error={view.error} /> : null}
      <div class="columns">
        <section class="panel" aria-labelledby="args-heading">
          <h2 id="args-heading">Arguments</h2>
          {view.args === null ? <p class="empty">The store no longer keeps its arguments.</p> : <JsonBlock value={view.args} label="Arguments" />}
        </section>
        <Outcome view={view} />
      </div>
      <section class="panel" aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Timeline</h2>
        <Timeline entries={view.timeline} />
      </section>
    </>
  );
}

/** The error of a failed (or retrying) run, full width: a stack is wide. */
function ErrorPanel({ view, error }: { view: TaskView; error: NonNullable<TaskView['error']> }) {
  return (
    <section class="panel panel-error" aria-labelledby="error-heading">
      <h2 id="error-heading">{view.state === 'RETRY' ? 'Error (will retry)' : `Error of attempt ${view.attempt}`}</h2>
      <p class="error-line">
        <strong>{error.type}</strong>: {error.message}
        {error.code === undefined ? null : <span class="muted"> ({error.code})</span>}
      </p>
      {error.stack === undefined ? null : (
        <pre class="code stack" tabIndex={0} aria-label="Stack trace">
          {error.stack}
        </pre>
      )}
    </section>
  );
}

/** The result of a success, or what the task last reported (progress, a revoke's reason). */
function Outcome({ view }: { view: TaskView }) {
  if (view.state === 'SUCCESS') {
    return (
      <section class="panel" aria-labelledby="result-heading">
        <h2 id="result-heading">Result</h2>
        <JsonBlock value={view.result ?? null} label="Result" />
      </section>
    );
  }
  if (view.meta === undefined) return view.error === undefined ? <p class="panel empty">No result yet.</p> : null;
  return (
    <section class="panel" aria-labelledby="meta-heading">
      <h2 id="meta-heading">{view.state === 'REVOKED' ? 'Why' : 'Last report'}</h2>
      <JsonBlock value={view.meta} label="Meta" />
    </section>
  );
}

/** The task's changes of state, oldest first, each with its time, attempt and worker. */
function Timeline({ entries }: { entries: readonly TimelineEntry[] }) {
  if (entries.length === 0) return <p class="empty">No history kept.</p>;
  return (
    <DataTable caption="Changes of state, oldest first" columns={TIMELINE}>
      {entries.map((entry, i) => {
        const previous = entries[i - 1];
        return (
          <tr key={`${i}-${entry.state}`} class={previous !== undefined && previous.attempt !== entry.attempt ? 'attempt-start' : undefined}>
            <td class="num">{entry.attempt}</td>
            <td>
              <StateBadge state={entry.state} />
            </td>
            <td>
              <time dateTime={new Date(entry.at).toISOString()}>{dateTime(entry.at)}</time>
            </td>
            <td class="muted">{previous === undefined ? '–' : `+${duration(entry.at - previous.at)}`}</td>
            <td class="mono muted">{entry.worker ?? '–'}</td>
          </tr>
        );
      })}
    </DataTable>
  );
}
