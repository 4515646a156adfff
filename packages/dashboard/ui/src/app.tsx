import { useEffect, useState } from 'preact/hooks';
import type { DashboardConfig } from '../../src/wire-types.js';
import { Notices } from './components/notices.js';
import { ConfigContext } from './config.js';
import { useLiveStatus } from './live.js';
import { DeadLettersPage } from './pages/dead-letters.js';
import { OverviewPage } from './pages/overview.js';
import { QueuePage } from './pages/queue.js';
import { SchedulesPage } from './pages/schedules.js';
import { TaskPage } from './pages/task.js';
import { TasksPage } from './pages/tasks.js';
import { WorkersPage } from './pages/workers.js';
import { type Route, href, useRoute } from './router.js';
import { type Theme, useTheme } from './theme.js';

const NAV = [
  { path: '', label: 'Overview' },
  { path: 'tasks', label: 'Tasks' },
  { path: 'workers', label: 'Workers' },
  { path: 'schedules', label: 'Schedules' },
  { path: 'dead-letters', label: 'Dead letters' },
] as const;

const STATUS_TEXT = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', refused: 'Disconnected' } as const;

export function App({ config }: { config: DashboardConfig }) {
  const route = useRoute();
  const [theme, setTheme] = useTheme();
  const status = useLiveStatus();
  const [page, heading] = pageFor(route, theme);
  useEffect(() => {
    document.title = `${heading} · ${config.title}`;
    // After a change of page, the keyboard and screen readers start at its heading.
    document.querySelector<HTMLElement>('main h1')?.focus({ preventScroll: true });
  }, [heading, route.path.join('/')]);
  const section = route.path[0] ?? '';
  return (
    <ConfigContext.Provider value={config}>
      <a
        class="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.querySelector<HTMLElement>('main h1')?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={href()}>
          <span class="logo" aria-hidden="true" />
          {config.title}
        </a>
        <nav aria-label="Pages">
          <ul>
            {NAV.map((item) => (
              <li key={item.path}>
                <a href={href(...(item.path === '' ? [] : [item.path]))} aria-current={section === item.path || (item.path === '' && section === 'queues') ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="top-end">
          {config.readOnly ? <span class="badge badge-muted">Read-only</span> : null}
          <span class={`live live-${status}`} role="status">
            {STATUS_TEXT[status]}
          </span>
          <ThemeToggle theme={theme} setTheme={setTheme} />
        </div>
      </header>
      <main id="main">{page}</main>
      <Notices />
    </ConfigContext.Provider>
  );
}

function ThemeToggle({ theme, setTheme }: { theme: Theme; setTheme: (theme: Theme) => void }) {
  const dark = theme === 'dark';
  return (
    <button type="button" class="button theme-toggle" aria-pressed={dark} onClick={() => setTheme(dark ? 'light' : 'dark')}>
      <span aria-hidden="true">{dark ? '☾' : '☀'}</span> Dark mode
    </button>
  );
}

/** The page a route shows, and its name for the window title. */
function pageFor(route: Route, theme: Theme): [preact.JSX.Element, string] {
  const [section = '', name] = route.path;
  if (section === '') return [<OverviewPage theme={theme} />, 'Overview'];
  if (section === 'queues' && name !== undefined) return [<QueuePage key={name} name={name} route={route} />, `Queue ${name}`];
  if (section === 'tasks' && name !== undefined) return [<TaskPage key={name} id={name} />, `Task ${name}`];
  if (section === 'tasks') return [<TasksPage route={route} />, 'Tasks'];
  if (section === 'workers') return [<WorkersPage />, 'Workers'];
  if (section === 'schedules') return [<SchedulesPage />, 'Schedules'];
  if (section === 'dead-letters') return [<DeadLettersPage route={route} />, 'Dead letters'];
  return [<NotFound />, 'Not found'];
}

function NotFound() {
  return (
    <>
      <h1 tabIndex={-1}>Not found</h1>
      <p>
        No such page. <a href={href()}>Back to the overview</a>.
      </p>
    </>
  );
}

/** Loads the dashboard's config, then the app; says so if the server refuses. */
export function Root() {
  const [config, setConfig] = useState<DashboardConfig | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetch('api/config', { headers: { accept: 'application/json' } })
      .then(async (response) => {
        if (!response.ok) throw new Error(`The dashboard's API answered ${response.status}: ${((await response.json().catch(() => ({}))) as { message?: string }).message ?? response.statusText}`);
        setConfig((await response.json()) as DashboardConfig);
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, []);
  if (error !== null)
    return (
      <p role="alert" class="fatal">
        {error}
      </p>
    );
  if (config === null) return <p class="empty">Loading…</p>;
  return <App config={config} />;
}
