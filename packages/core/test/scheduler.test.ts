import { MemoryStore } from '@celeriac/memory';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Celeriac, InvalidOptionError, schedule, task } from '../src/index.js';

const MINUTE = 60_000;

class Reports {
  @schedule({ every: MINUTE })
  @task()
  refresh(): string {
    return 'refreshed';
  }

  @schedule({ cron: '0 3 * * *', timezone: 'Europe/Paris', args: ['nightly'] })
  @task()
  batch(kind: string): string {
    return kind;
  }
}

/** Several app instances (schedulers) sharing one store, like processes sharing Redis. */
function cluster(size: number, catchUp: 'skip' | 'once' = 'skip') {
  const store = new MemoryStore();
  const apps = Array.from({ length: size }, () => {
    const app = new Celeriac({ store });
    app.register(new Reports());
    return app;
  });
  const schedulers = apps.map((app) => app.scheduler({ catchUp, tick: 1_000 }));
  const queued = async (task: string) => {
    const deliveries = await store.reserve({ queues: ['default'], tasks: [task], max: 1_000, waitMs: 0 });
    await Promise.all(deliveries.map((d) => store.ack(d)));
    return deliveries.map((d) => d.message);
  };
  return { store, apps, schedulers, queued };
}

describe('periodic tasks', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(new Date('2026-11-24T00:00:30Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('three schedulers enqueue each due run exactly once', async () => {
    const c = cluster(3);
    await Promise.all(c.schedulers.map((s) => s.start()));
    await vi.advanceTimersByTimeAsync(5 * MINUTE);
    const runs = await c.queued('Reports.refresh');
    expect(runs.map((m) => new Date(Number(m.id.split(':').at(-1))).toISOString())).toEqual([
      '2026-11-24T00:01:00.000Z',
      '2026-11-24T00:02:00.000Z',
      '2026-11-24T00:03:00.000Z',
      '2026-11-24T00:04:00.000Z',
      '2026-11-24T00:05:00.000Z',
    ]);
    expect(runs.every((m) => m.id.startsWith('sched:Reports.refresh:'))).toBe(true);
    await Promise.all(c.schedulers.map((s) => s.close()));
  });

  it('runs a cron schedule at its time in its time zone, with its arguments', async () => {
    const c = cluster(2);
    await Promise.all(c.schedulers.map((s) => s.start()));
    // 03:00 in Paris on 24 Nov is 02:00 UTC.
    await vi.advanceTimersByTimeAsync(2 * 60 * MINUTE - 30_000 - 2_000);
    expect(await c.queued('Reports.batch')).toEqual([]);
    await vi.advanceTimersByTimeAsync(3_000);
    const [run, ...more] = await c.queued('Reports.batch');
    expect(more).toEqual([]);
    expect(run?.args).toEqual(['nightly']);
    expect(run?.id).toBe(`sched:Reports.batch:${Date.parse('2026-11-24T02:00:00Z')}`);
    await Promise.all(c.schedulers.map((s) => s.close()));
  });

  it('a restart neither runs twice nor, with catchUp "skip", replays runs missed while down', async () => {
    const c = cluster(1);
    await c.schedulers[0]?.start();
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(await c.queued('Reports.refresh')).toHaveLength(1);
    await c.schedulers[0]?.close();
    // Restart at once: the run that already happened is not repeated.
    const again = c.apps[0]?.scheduler({ tick: 1_000 });
    await again?.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await c.queued('Reports.refresh')).toEqual([]);
    await again?.close();
    // Down for ten minutes: missed runs are skipped; the next on-time run happens.
    await vi.advanceTimersByTimeAsync(10 * MINUTE);
    const later = c.apps[0]?.scheduler({ tick: 1_000 });
    await later?.start();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await c.queued('Reports.refresh')).toEqual([]);
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(await c.queued('Reports.refresh')).toHaveLength(1);
    await later?.close();
  });

  it('with catchUp "once", runs once for everything missed', async () => {
    const c = cluster(1, 'once');
    await c.schedulers[0]?.start();
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(await c.queued('Reports.refresh')).toHaveLength(1);
    await c.schedulers[0]?.close();
    await vi.advanceTimersByTimeAsync(10 * MINUTE);
    const later = c.apps[0]?.scheduler({ catchUp: 'once', tick: 1_000 });
    await later?.start();
    const [catchUp] = await c.queued('Reports.refresh');
    expect(catchUp?.id).toBe(`sched:Reports.refresh:${Date.parse('2026-11-24T00:11:00Z')}`);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(await c.queued('Reports.refresh')).toEqual([]);
    await vi.advanceTimersByTimeAsync(20_000); // 00:12:00 is on time again
    expect(await c.queued('Reports.refresh')).toHaveLength(1);
    await later?.close();
  });

  it('adds schedules programmatically and validates them', () => {
    const app = new Celeriac({ eager: true });
    const ping = app.task({ name: 'ping' }, (who: string) => who);
    app.schedule(ping, { every: 5_000, args: ['ops'] });
    app.schedule(ping, { cron: '*/5 * * * *', args: ['cron'] });
    expect(app.registry.schedules().map((s) => [s.name, s.describe, s.args])).toEqual([
      ['ping', 'every 5000 ms', ['ops']],
      ['ping:2', 'cron "*/5 * * * *" (UTC)', ['cron']],
    ]);
    expect(() => app.schedule(ping, { every: 1, cron: '* * * * *' })).toThrow(/option "every" or "cron" must be given, and not both/);
    expect(() => app.schedule(ping, { cron: 'every tuesday' })).toThrow(InvalidOptionError);
    expect(() => app.schedule(ping, { cron: '0 3 * * *', timezone: 'Mars/Olympus' })).toThrow(/option "timezone" is invalid|option "cron" is invalid/);
    expect(() => app.scheduler({ catchUp: 'all' as 'once' })).toThrow(/option "catchUp" must be "skip" or "once"/);
  });
});
