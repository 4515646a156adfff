import type { Database } from '@celeriac/sample-support';
import type { ComputedReport } from './orders-report.js';

export interface StoredSnapshot<T> {
  name: string;
  computedAt: Date;
  durationMs: number;
  /** How old the snapshot is, by the database's clock (the same clock that stamped it). */
  ageMs: number;
  data: T;
}

/**
 * Keeps the newest snapshot. Delivery is at-least-once and runs may overlap (a manual refresh
 * during a scheduled one), so an older computation finishing last must not replace a newer one.
 */
export async function saveSnapshot(db: Database, name: string, report: ComputedReport): Promise<boolean> {
  const { rows } = await db.query<{ name: string }>(
    `INSERT INTO report_snapshots (name, computed_at, duration_ms, data)
     VALUES ($1, $2, $3, $4::jsonb)
     ON CONFLICT (name) DO UPDATE
        SET computed_at = EXCLUDED.computed_at, duration_ms = EXCLUDED.duration_ms, data = EXCLUDED.data
      WHERE report_snapshots.computed_at < EXCLUDED.computed_at
     RETURNING name`,
    [name, report.computedAt, report.durationMs, JSON.stringify(report.data)],
  );
  return rows.length > 0;
}

/** One primary-key lookup: what the HTTP route does instead of the aggregate. */
export async function readSnapshot<T>(db: Database, name: string): Promise<StoredSnapshot<T> | null> {
  const { rows } = await db.query<{ computed_at: Date; duration_ms: number; data: T; age_ms: number }>(
    `SELECT computed_at, duration_ms, data,
            (extract(epoch FROM clock_timestamp() - computed_at) * 1000)::float8 AS age_ms
       FROM report_snapshots
      WHERE name = $1`,
    [name],
  );
  const row = rows[0];
  if (row === undefined) return null;
  return { name, computedAt: row.computed_at, durationMs: row.duration_ms, ageMs: Math.max(0, Math.round(row.age_ms)), data: row.data };
}
