import type { Database } from '@celeriac/sample-support';

export const REGIONS = ['north', 'south', 'east', 'west'] as const;

/**
 * Inserts `count` random orders in one statement and returns how many went in. `spreadDays`
 * back-dates them over that many days. With `onlyIfEmpty` nothing is inserted into a table that
 * has rows: the check and the insert are one statement, so instances starting together against
 * one PostgreSQL rarely both seed (READ COMMITTED leaves a small window; it is demo data).
 */
export async function insertRandomOrders(db: Database, count: number, options: { spreadDays?: number; onlyIfEmpty?: boolean } = {}): Promise<number> {
  const { rows } = await db.query<{ inserted: number }>(
    `WITH inserted AS (
       INSERT INTO orders (amount, region, created_at)
       SELECT round((5 + random() * 495)::numeric, 2),
              ($2::text[])[1 + floor(random() * array_length($2::text[], 1))::int],
              now() - random() * make_interval(days => $3::int)
         FROM generate_series(1, $1::int)
        WHERE NOT $4::boolean OR NOT EXISTS (SELECT 1 FROM orders)
       RETURNING 1)
     SELECT count(*)::int AS inserted FROM inserted`,
    [count, [...REGIONS], options.spreadDays ?? 0, options.onlyIfEmpty ?? false],
  );
  return rows[0]?.inserted ?? 0;
}

/** A month of history for the first report, into an empty table only, so restarts do not pile up seed data. */
export function seedOrders(db: Database, count: number): Promise<number> {
  return count <= 0 ? Promise.resolve(0) : insertRandomOrders(db, count, { spreadDays: 30, onlyIfEmpty: true });
}
