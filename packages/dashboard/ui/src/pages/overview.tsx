import type { Overview, WorkerInfo } from '../../../src/wire-types.js';
import { QueueTable } from '../components/queue-table.js';
import { Stat } from '../components/stat.js';
import { ThroughputChart } from '../components/throughput-chart.js';
import { count, duration, useNow } from '../format.js';
import { useLive } from '../live.js';
import { href } from '../router.js';
import type { Theme } from '../theme.js';

/** Throughput and failures over time, the queues with their counts, the workers online. */
export function OverviewPage({ theme }: { theme: Theme }) {
  const live = useLive(['overview', 'workers']);
  const overview = live.overview as Overview | undefined;
  const workers = live.workers as WorkerInfo[] | undefined;
  const now = useNow();
  const queues = overview?.queues ?? [];
  const sum = (pick: (q: Overview['queues'][number]) => number) => count(queues.reduce((n, q) => n + pick(q), 0));
  return (
    <>
      <h1 tabIndex={-1}>Overview</h1>
      <dl class="stats" aria-label="Totals">
        <Stat
          label="Workers online"
          value={overview === undefined ? '…' : count(overview.workers.online)}
          hint={overview === undefined ? undefined : `${overview.workers.running} / ${overview.workers.concurrency} slots busy`}
        />
        <Stat label="Waiting" value={overview === undefined ? '…' : sum((q) => q.waiting)} hint={overview === undefined ? undefined : `${sum((q) => q.delayed)} delayed`} />
        <Stat label="Running" value={overview === undefined ? '…' : sum((q) => q.running)} />
        <Stat label="Succeeded" value={overview === undefined ? '…' : count(overview.counts.SUCCESS ?? 0)} hint="listed" tone="ok" />
        <Stat
          label="Failed"
          value={overview === undefined ? '…' : count(overview.counts.FAILURE ?? 0)}
          hint={<a href={href('tasks', { state: 'FAILURE' })}>see them</a>}
          tone={(overview?.counts.FAILURE ?? 0) > 0 ? 'bad' : undefined}
        />
      </dl>
      <section class="panel" aria-labelledby="throughput-heading">
        <h2 id="throughput-heading">Throughput</h2>
        <ThroughputChart data={overview?.throughput} theme={theme} />
      </section>
      <section class="panel" aria-labelledby="queues-heading">
        <h2 id="queues-heading">Queues</h2>
        <QueueTable queues={queues} now={now} />
      </section>
      <section class="panel" aria-labelledby="workers-heading">
        <div class="panel-head">
          <h2 id="workers-heading">Workers online</h2>
          <a href={href('workers')}>All details</a>
        </div>
        {workers === undefined ? (
          <p class="empty">Loading…</p>
        ) : workers.length === 0 ? (
          <p class="empty">No worker is online.</p>
        ) : (
          <ul class="worker-chips">
            {workers.map((w) => (
              <li key={w.id}>
                <span class="mono">{w.id}</span>
                <span class="muted">
                  {w.pool} · {w.running.length}/{w.concurrency} busy · up {duration(now - w.startedAt)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
