import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openPglite } from '@celeriac/sample-support';
import { getJson, waitFor } from '@celeriac/sample-support/testing';
import { type BulkIngestApp, buildApp } from '../src/build-app.js';
import type { BatchProgress } from '../src/ingest/batches.js';
import type { BatchAccepted } from '../src/http/ingest-routes.js';

const LIMIT_PER_SECOND = 100;

const post = (url: string, body: string, contentType = 'application/json') =>
  getJson<Record<string, unknown>>(`${url}/ingest`, { method: 'POST', headers: { 'content-type': contentType }, body });

/** The most rows inserted in any `windowMs` span, by the database's own timestamps. */
function busiestWindow(times: number[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] as number) - (times[j] as number) >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('bulk-ingest', () => {
  let db: Database;
  let app: BulkIngestApp;
  let url: string;

  beforeAll(async () => {
    db = await openPglite();
    app = await buildApp({ db, rateLimit: `${LIMIT_PER_SECOND}/s`, concurrency: 10 });
    url = await app.start({ port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('spreads 300 inserts out under the rate limit, with progress advancing to done', async () => {
    const accepted = await post(url, JSON.stringify({ count: 300 }));
    expect(accepted.status).toBe(202);
    const { batchId, total, progressUrl } = accepted.body as unknown as BatchAccepted;
    expect(total).toBe(300);
    expect(accepted.headers.get('location')).toBe(progressUrl);

    const samples: BatchProgress[] = [];
    const finished = await waitFor(
      'the batch to finish',
      async () => {
        const { status, body } = await getJson<BatchProgress>(`${url}${progressUrl}`);
        expect(status).toBe(200);
        samples.push(body);
        return body.state === 'done' ? body : undefined;
      },
      20_000,
      100,
    );

    expect(finished).toMatchObject({ batchId, total: 300, done: 300, failed: 0, etaSeconds: 0, state: 'done', rateLimit: '100/s' });
    // Progress moved through the middle (300 rows at 100/s take over 2 s), never backwards.
    const dones = samples.map((s) => s.done);
    expect(dones.some((d) => d > 0 && d < 300)).toBe(true);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
    const running = samples.filter((s) => s.state === 'running' && s.ratePerSecond !== null);
    expect(running.length).toBeGreaterThan(0);
    for (const s of running) {
      expect(s.ratePerSecond).toBeGreaterThan(0);
      expect(s.ratePerSecond).toBeLessThanOrEqual(LIMIT_PER_SECOND);
      expect(s.etaSeconds).toBeGreaterThanOrEqual(0);
    }

    const { rows } = await db.query<{ n: number; distinct_seqs: number }>('SELECT count(*)::int AS n, count(DISTINCT seq)::int AS distinct_seqs FROM ingested_rows WHERE batch_id = $1', [batchId]);
    expect(rows[0]).toEqual({ n: 300, distinct_seqs: 300 });

    // The rate over time, from the rows' own insert times: no one-second window holds more than
    // the limit (up to 250 ms of lag between a start and its insert allowed for, as the limit
    // counts starts and a loaded machine delays some inserts), and 300 rows at 100/s cannot be
    // done in under two seconds.
    const times = (await db.query<{ t: number }>('SELECT (extract(epoch FROM inserted_at) * 1000)::float8 AS t FROM ingested_rows WHERE batch_id = $1 ORDER BY inserted_at', [batchId])).rows.map((r) => r.t);
    const busiest = busiestWindow(times, 1_000 - 250);
    expect(busiest).toBeLessThanOrEqual(LIMIT_PER_SECOND);
    expect(busiest).toBeGreaterThanOrEqual(LIMIT_PER_SECOND * 0.5); // it does use the allowance
    const spanSeconds = ((times.at(-1) as number) - (times[0] as number)) / 1000;
    expect(spanSeconds).toBeGreaterThanOrEqual(1.9);
    console.log(`300 rows in ${spanSeconds.toFixed(2)} s (${(299 / spanSeconds).toFixed(1)} rows/s overall), busiest 750 ms window: ${busiest} rows, limit ${LIMIT_PER_SECOND}/s`);
  });

  it('refuses bad bodies with a 400 JSON error', async () => {
    const batchesBefore = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM ingest_batches')).rows[0]?.n;
    const bad: Array<[string, string?]> = [
      ['{}'],
      ['{"count":0}'],
      ['{"count":-5}'],
      ['{"count":100001}'],
      ['{"count":1.5}'],
      ['{"count":"300"}'],
      ['{"count":null}'],
      ['{"count":3,"extra":true}'],
      ['[3]'],
      ['{"count":'],
    ];
    for (const [body] of bad) {
      const answer = await post(url, body);
      expect(answer.status, body).toBe(400);
      expect(answer.body, body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(typeof answer.body.message, body).toBe('string');
    }
    const notJson = await post(url, 'count=3', 'application/x-www-form-urlencoded');
    expect(notJson.status).toBe(415);
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM ingest_batches');
    expect(rows[0]?.n).toBe(batchesBefore); // nothing was created
  });

  it('answers 404 JSON for an unknown or malformed batch id', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-batch', '1']) {
      const { status, body } = await getJson<Record<string, unknown>>(`${url}/ingest/${id}`);
      expect(status, id).toBe(404);
      expect(body, id).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'BATCH_NOT_FOUND' });
    }
  });

  it('serves the progress page', async () => {
    const response = await fetch(`${url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<progress');
    expect(html).toContain("fetch('/ingest'");
    expect(html).toContain("fetch('/ingest/' + encodeURIComponent(batchId))");
  });
});
