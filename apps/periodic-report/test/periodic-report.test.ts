import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openPglite } from '@celeriac/sample-support';
import { getJson, waitFor } from '@celeriac/sample-support/testing';
import { type PeriodicReportApp, buildApp } from '../src/build-app.js';
import type { ReportResponse } from '../src/http/report-route.js';
import { seedOrders } from '../src/orders/insert-orders.js';
import { computeReport } from '../src/report/orders-report.js';
import { REFRESH_TASK } from '../src/report/report-tasks.js';
import { countingDatabase } from './helpers.js';

/** About 24 days: no scheduled run falls inside these tests, so only what a test triggers runs. */
const NEVER_DURING_TEST = 2_000_000_000;

async function insertOrders(db: Database, orders: Array<[amount: string, region: string]>): Promise<void> {
  for (const [amount, region] of orders) await db.query('INSERT INTO orders (amount, region) VALUES ($1::numeric, $2)', [amount, region]);
}

async function dbNow(db: Database): Promise<number> {
  const { rows } = await db.query<{ now: Date }>('SELECT clock_timestamp() AS now');
  return (rows[0] as { now: Date }).now.getTime();
}

describe('periodic-report before its first run, and on demand', () => {
  let raw: Database;
  let db: ReturnType<typeof countingDatabase>;
  let app: PeriodicReportApp;
  let url: string;

  beforeAll(async () => {
    raw = await openPglite();
    db = countingDatabase(raw);
    app = await buildApp({ db, reportEveryMs: NEVER_DURING_TEST, seedOrders: 20_000 });
    url = await app.start({ port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await raw?.close();
  });

  it('answers 503 with a clear JSON message and Retry-After before the first run', async () => {
    const { status, headers, body } = await getJson<Record<string, unknown>>(`${url}/report`);
    expect(status).toBe(503);
    expect(body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', code: 'REPORT_NOT_READY' });
    expect(body.message).toMatch(/has not been computed yet.*POST \/api\/tasks\/report\.refresh/);
    expect(Number(headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('computes on POST /api/tasks/<name>, followed at /api/status/:id, then serves the stored snapshot', async () => {
    const enqueued = await getJson<{ id: string; state: string }>(`${url}/api/tasks/${REFRESH_TASK}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ args: [] }),
    });
    expect(enqueued.status).toBe(202);
    const done = await waitFor('the refresh to succeed', async () => {
      const { body } = await getJson<{ state: string; result?: { orders: number; stored: boolean } }>(`${url}/api/status/${enqueued.body.id}`);
      return body.state === 'SUCCESS' ? body : undefined;
    });
    expect(done.result).toMatchObject({ orders: 20_000, stored: true });

    const { status, body } = await getJson<ReportResponse>(`${url}/report`);
    expect(status).toBe(200);
    expect(body.data.totals.orders).toBe(20_000);
    expect(body.durationMs).toBeGreaterThan(0);
  });

  it('seeds only an empty table, so a restart does not add the seed again', async () => {
    expect(await seedOrders(raw, 1_000)).toBe(0);
    const { rows } = await raw.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
    expect(rows[0]?.n).toBe(20_000);
  });

  it('GET /report reads the snapshot with one lookup and never runs the aggregate', async () => {
    db.statements.length = 0;
    const reads = 20;
    const answers = [];
    for (let i = 0; i < reads; i++) answers.push(await getJson<ReportResponse>(`${url}/report`));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(db.statements).toHaveLength(reads);
    expect(db.statements.every((sql) => /FROM report_snapshots WHERE name = \$1/.test(sql))).toBe(true);
    expect(db.statements.some((sql) => /FROM orders/.test(sql))).toBe(false);
    // The stored figures, not a fresh count: the same computedAt every time, and an age that grows.
    expect(new Set(answers.map((a) => a.body.computedAt)).size).toBe(1);
    expect((answers.at(-1) as { body: ReportResponse }).body.ageMs).toBeGreaterThanOrEqual(answers[0]?.body.ageMs ?? Number.POSITIVE_INFINITY);
  });
});

describe('periodic-report on a short schedule', () => {
  let db: Database;
  let app: PeriodicReportApp;
  let url: string;

  beforeAll(async () => {
    db = await openPglite();
    app = await buildApp({ db, reportEveryMs: 200 });
    url = await app.start({ port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  /** Waits for a snapshot computed after `since` (database time) and returns it. */
  const reportComputedAfter = (since: number) =>
    waitFor(`a report computed after ${new Date(since).toISOString()}`, async () => {
      const { status, body } = await getJson<ReportResponse>(`${url}/report`);
      return status === 200 && Date.parse(body.computedAt) > since ? body : undefined;
    });

  it('stores the aggregate on schedule, matching the query at that time, and refreshes it as the table grows', async () => {
    await insertOrders(db, [
      ['10.00', 'north'],
      ['20.50', 'north'],
      ['5.25', 'south'],
    ]);
    const first = await reportComputedAfter(await dbNow(db));
    // Nothing was inserted since, so a direct run of the aggregate must give the same figures.
    expect(first.data).toEqual((await computeReport(db)).data);
    expect(first.data.totals).toMatchObject({ orders: 3, revenue: 35.75 });
    expect(first.data.byRegion).toEqual([
      { region: 'north', orders: 2, revenue: 30.5, averageAmount: 15.25 },
      { region: 'south', orders: 1, revenue: 5.25, averageAmount: 5.25 },
    ]);

    await insertOrders(db, [
      ['100.00', 'east'],
      ['1.00', 'south'],
    ]);
    const second = await reportComputedAfter(await dbNow(db));
    expect(Date.parse(second.computedAt)).toBeGreaterThan(Date.parse(first.computedAt));
    expect(second.data).toEqual((await computeReport(db)).data);
    expect(second.data.totals).toMatchObject({ orders: 5, revenue: 136.75 });
    expect(second.data.byRegion.map((r) => r.region)).toEqual(['east', 'north', 'south']);
  });

  it('keeps refreshing on the interval', async () => {
    const a = await reportComputedAfter(await dbNow(db));
    const b = await reportComputedAfter(Date.parse(a.computedAt));
    const gap = Date.parse(b.computedAt) - Date.parse(a.computedAt);
    // Runs are on multiples of 200 ms; allow one missed tick but not a stalled schedule.
    expect(gap).toBeGreaterThanOrEqual(100);
    expect(gap).toBeLessThan(1_000);
  });
});
