import { randomUUID } from 'node:crypto';
import type { Database } from '@celeriac/sample-support';

export type BatchState = 'queued' | 'running' | 'done' | 'done_with_failures';

/** Body of `GET /ingest/:batchId`. */
export interface BatchProgress {
  batchId: string;
  total: number;
  /** Rows in the table. */
  done: number;
  /** Rows whose every attempt failed (and that are not in the table). */
  failed: number;
  /** Rows inserted per second lately (over the finished run once it is over); null until measurable. */
  ratePerSecond: number | null;
  /** Seconds until every row is in at the current rate; null while unknown, 0 once finished. */
  etaSeconds: number | null;
  state: BatchState;
  rateLimit: string;
  createdAt: string;
}

/** The rate is measured over the last few seconds, so it follows the limit rather than averaging from the start. */
export const RATE_WINDOW_SECONDS = 5;

export async function createBatch(db: Database, total: number, rateLimit: string): Promise<string> {
  const id = randomUUID();
  await db.query('INSERT INTO ingest_batches (id, total, rate_limit) VALUES ($1, $2, $3)', [id, total, rateLimit]);
  return id;
}

interface ProgressRow {
  total: number;
  rate_limit: string;
  created_at: Date;
  done: number;
  recent: number;
  first_at: Date | null;
  last_at: Date | null;
  failed: number;
  now: Date;
}

/**
 * Progress straight from the database, so any instance of the app answers for any batch and a
 * restart loses nothing. Every time is the database's, which also stamped the rows.
 */
export async function readProgress(db: Database, batchId: string): Promise<BatchProgress | null> {
  const { rows } = await db.query<ProgressRow>(
    `SELECT b.total, b.rate_limit, b.created_at, r.done, r.recent, r.first_at, r.last_at, f.failed, now() AS now
       FROM ingest_batches b
      CROSS JOIN LATERAL (
            SELECT count(*)::int AS done,
                   count(*) FILTER (WHERE inserted_at > now() - make_interval(secs => $2))::int AS recent,
                   min(inserted_at) AS first_at,
                   max(inserted_at) AS last_at
              FROM ingested_rows WHERE batch_id = b.id) r
      CROSS JOIN LATERAL (
            -- A row that failed and later went in after all (a redelivery) counts as done only.
            SELECT count(*)::int AS failed
              FROM ingest_failures f
             WHERE f.batch_id = b.id
               AND NOT EXISTS (SELECT 1 FROM ingested_rows i WHERE i.batch_id = f.batch_id AND i.seq = f.seq)) f
      WHERE b.id = $1`,
    [batchId, RATE_WINDOW_SECONDS],
  );
  const row = rows[0];
  if (row === undefined) return null;
  const finished = row.done + row.failed >= row.total;
  const ratePerSecond = finished ? overallRate(row) : recentRate(row);
  const remaining = row.total - row.done - row.failed;
  return {
    batchId,
    total: row.total,
    done: row.done,
    failed: row.failed,
    ratePerSecond: ratePerSecond === null ? null : Math.round(ratePerSecond * 10) / 10,
    etaSeconds: finished ? 0 : ratePerSecond === null || ratePerSecond === 0 ? null : Math.ceil(remaining / ratePerSecond),
    state: finished ? (row.failed > 0 ? 'done_with_failures' : 'done') : row.done + row.failed === 0 ? 'queued' : 'running',
    rateLimit: row.rate_limit,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * Rows of the last window over the part of the window the batch has been running. The broker's
 * sliding-window limit lets each interval's allowance through at once, so over spans of about
 * one interval the count runs ahead of the limit in bursts; the limit is a true ceiling on the
 * sustained rate, so the estimate is capped there.
 */
function recentRate(row: ProgressRow): number | null {
  if (row.first_at === null) return null;
  const seconds = Math.min(RATE_WINDOW_SECONDS, (row.now.getTime() - row.first_at.getTime()) / 1000);
  // Under a second the count says little (one row in 1 ms is not 1000 rows/s).
  if (seconds < 1) return null;
  return Math.min(row.recent / seconds, limitPerSecond(row.rate_limit));
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600 };

/** `'500/s'` → 500; `'10/m'` → 0.1666…; anything else (never stored by this app) → no cap. */
export function limitPerSecond(rateLimit: string): number {
  const match = /^(\d+)\/([smh])$/.exec(rateLimit);
  return match === null ? Number.POSITIVE_INFINITY : Number(match[1]) / (UNIT_SECONDS[match[2] as string] as number);
}

/** The average over the whole run, from first to last insert (capped for the same reason as {@link recentRate}). */
function overallRate(row: ProgressRow): number | null {
  if (row.first_at === null || row.last_at === null) return null;
  const seconds = (row.last_at.getTime() - row.first_at.getTime()) / 1000;
  return seconds <= 0 ? null : Math.min((row.done - 1) / seconds, limitPerSecond(row.rate_limit));
}
