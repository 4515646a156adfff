import { useEffect, useState } from 'preact/hooks';
import type { KnownTask, TaskList, TaskState } from '../../../src/wire-types.js';
import { ApiError, getJson } from '../api.js';
import { count, dateTime, relative, useNow } from '../format.js';
import { href, navigate } from '../router.js';
import { notify } from './notices.js';
import { type Column, DataTable, EmptyRow } from './data-table.js';
import { Pager } from './pager.js';
import { StateBadge } from './state-badge.js';

const STATES = ['PENDING', 'STARTED', 'RETRY', 'SUCCESS', 'FAILURE', 'REVOKED'] as const;
const LIMIT = 25;
const COLUMNS: Column[] = [{ label: 'Id' }, { label: 'Task' }, { label: 'State' }, { label: 'Attempt', num: true }, { label: 'Changed' }, { label: 'Worker' }];

/** The live resource of the page of tasks a query shows, of one queue or of all (the page watches it with the rest). */
export function taskListKey(query: BrowserQuery, queue?: string): string {
  const filters = { ...(query.task === '' ? {} : { task: query.task }), ...(queue === undefined ? {} : { queue }) };
  return `tasks?${new URLSearchParams({ state: query.state, ...filters, offset: String(query.offset), limit: String(LIMIT) }).toString()}`;
}

export interface BrowserQuery {
  state: string;
  task: string;
  offset: number;
}

/**
 * Tasks by state, newest change first, by pages; filtered by task name, and by queue on a queue's
 * page (`page` is then that queue's list); a task found by its id. What is shown lives in the
 * page's URL (`?state=&task=&offset=`), so a view can be bookmarked.
 */
export function TaskBrowser({
  heading,
  query,
  page,
  onQuery,
  counts,
  queue,
}: {
  heading: string;
  query: BrowserQuery;
  page: TaskList | undefined;
  onQuery: (query: BrowserQuery) => void;
  counts: Record<TaskState, number> | undefined;
  queue?: string;
}) {
  const now = useNow();
  const [names, setNames] = useState<KnownTask[]>([]);
  const [taskInput, setTaskInput] = useState(query.task);
  const [search, setSearch] = useState('');
  useEffect(() => void getJson<KnownTask[]>('task-names').then(setNames, () => setNames([])), []);
  useEffect(() => setTaskInput(query.task), [query.task]);
  // On a queue's page, the names routed to that queue are suggested first.
  const suggested = queue === undefined ? names : [...names.filter((n) => n.queue === queue), ...names.filter((n) => n.queue !== queue)];

  const find = async (event: Event) => {
    event.preventDefault();
    const id = search.trim();
    if (id === '') return;
    try {
      await getJson(`tasks/${encodeURIComponent(id)}`);
      navigate(href('tasks', id));
    } catch (error) {
      notify(error instanceof ApiError && error.status === 404 ? `No task has id ${id}` : error instanceof Error ? error.message : String(error), true);
    }
  };

  return (
    <section aria-labelledby="tasks-heading" class="panel">
      <div class="panel-head">
        <h2 id="tasks-heading">{heading}</h2>
        <form class="inline-form" role="search" onSubmit={(e) => void find(e)}>
          <label for="task-id">Find by id</label>
          <input id="task-id" type="search" value={search} placeholder="task id" spellcheck={false} onInput={(e) => setSearch(e.currentTarget.value)} />
          <button type="submit" class="button">
            Find
          </button>
        </form>
      </div>
      <div class="tabs" role="group" aria-label="Task state">
        {STATES.map((state) => (
          <button key={state} type="button" class="tab" aria-pressed={query.state === state} onClick={() => onQuery({ ...query, state, offset: 0 })}>
            {state} <span class="tab-count">{counts === undefined ? '' : count(counts[state] ?? 0)}</span>
          </button>
        ))}
      </div>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          onQuery({ ...query, task: taskInput.trim(), offset: 0 });
        }}
      >
        <label for="task-name">Task name</label>
        <input id="task-name" list="task-names" value={taskInput} placeholder="all tasks" spellcheck={false} onInput={(e) => setTaskInput(e.currentTarget.value)} />
        <datalist id="task-names">
          {suggested.map((n) => (
            <option key={n.name} value={n.name}>
              {n.queue ?? ''}
            </option>
          ))}
        </datalist>
        <button type="submit" class="button">
          Filter
        </button>
        {query.task === '' ? null : (
          <button type="button" class="button" onClick={() => onQuery({ ...query, task: '', offset: 0 })}>
            Clear
          </button>
        )}
      </form>
      <DataTable className="tasks" caption={`${query.state} tasks${query.task === '' ? '' : ` named ${query.task}`}${queue === undefined ? '' : ` in queue ${queue}`}, newest change first`} columns={COLUMNS}>
        {page === undefined ? (
          <EmptyRow columns={COLUMNS.length}>Loading…</EmptyRow>
        ) : page.tasks.length === 0 ? (
          <EmptyRow columns={COLUMNS.length}>
            No {query.state} task{query.task === '' ? '' : ` named ${query.task}`}
            {queue === undefined ? '' : ` in queue ${queue}`}.
          </EmptyRow>
        ) : (
          page.tasks.map((t) => (
            <tr key={t.id} data-task-id={t.id}>
              <td class="mono">
                <a href={href('tasks', t.id)}>{t.id}</a>
              </td>
              <td>{t.task}</td>
              <td>
                <StateBadge state={t.state} />
              </td>
              <td class="num">{t.attempt}</td>
              <td>
                <time dateTime={new Date(t.updatedAt).toISOString()} title={dateTime(t.updatedAt)}>
                  {relative(t.updatedAt, now)}
                </time>
              </td>
              <td class="mono muted">{t.worker ?? '–'}</td>
            </tr>
          ))
        )}
      </DataTable>
      {page === undefined ? null : <Pager label="Task" offset={query.offset} limit={LIMIT} shown={page.tasks.length} next={page.next} onPage={(offset) => onQuery({ ...query, offset })} />}
    </section>
  );
}
