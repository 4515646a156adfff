import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openPglite } from '@celeriac/sample-support';
import { getJson, waitFor } from '@celeriac/sample-support/testing';
import { type BulkIngestApp, buildApp } from '../src/build-app.js';
import { type BatchProgress, createBatch } from '../src/ingest/batches.js';
import type { BatchAccepted } from '../src/http/ingest-routes.js';

/** Fails every insert of row 7, and the first insert of row 3: a permanent and a transient error. */
function flakyDatabase(inner: Database): Database & { attempts: Map<number, number> } {
  const attempts = new Map<number, number>();
  return {
    attempts,
    query: async (sql, params) => {
      if (sql.includes('INSERT INTO ingested_rows')) {
        const seq = params?.[1] as number;
        const n = (attempts.get(seq) ?? 0) + 1;
        attempts.set(seq, n);
        if (seq === 7 || (seq === 3 && n === 1)) throw new Error(`simulated failure of row ${seq}, attempt ${n}`);
      }
      return inner.query(sql, params);
    },
    close: () => inner.close(),
  };
}

describe('bulk-ingest retries and at-least-once delivery', () => {
  let raw: Database;
  let db: ReturnType<typeof flakyDatabase>;
  let app: BulkIngestApp;
  let url: string;

  beforeAll(async () => {
    raw = await openPglite();
    db = flakyDatabase(raw);
    app = await buildApp({ db, rateLimit: '1000/s', retryDelayMs: 20 });
    url = await app.start({ port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await raw?.close();
  });

  it('retries a failed insert, counts a row that never goes in as failed, and still ends the batch', async () => {
    const accepted = await getJson<BatchAccepted>(`${url}/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: 20 }) });
    expect(accepted.status).toBe(202);
    const finished = await waitFor('the batch to end', async () => {
      const { body } = await getJson<BatchProgress>(`${url}${accepted.body.progressUrl}`);
      return body.state === 'queued' || body.state === 'running' ? undefined : body;
    });
    expect(finished).toMatchObject({ total: 20, done: 19, failed: 1, state: 'done_with_failures', etaSeconds: 0 });
    expect(db.attempts.get(3)).toBe(2);
    expect(db.attempts.get(7)).toBe(4); // the first try and 3 retries
    const { rows } = await raw.query<{ seq: number; error: string }>('SELECT seq, error FROM ingest_failures WHERE batch_id = $1', [accepted.body.batchId]);
    expect(rows).toEqual([{ seq: 7, error: 'simulated failure of row 7, attempt 4' }]);
  });

  it('inserts a row delivered several times once', async () => {
    const batchId = await createBatch(raw, 1, '1000/s');
    // The same row delivered three times, as when a worker dies between its insert and its acknowledgement.
    const results = await Promise.all([1, 2, 3].map(() => app.insertRow.delay(batchId, 0, 1.5)));
    const inserted = await Promise.all(results.map((r) => r.wait({ timeout: 5_000 })));
    expect(inserted.filter((x) => x)).toEqual([true]);
    const { rows } = await raw.query<{ n: number }>('SELECT count(*)::int AS n FROM ingested_rows WHERE batch_id = $1', [batchId]);
    expect(rows[0]?.n).toBe(1);
    const { body } = await getJson<BatchProgress>(`${url}/ingest/${batchId}`);
    expect(body).toMatchObject({ total: 1, done: 1, failed: 0, state: 'done' });
  });
});
