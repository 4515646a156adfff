import { type Database, applySchema } from '@celeriac/sample-support';

/**
 * Idempotent, so every process may run it at start-up. One statement per query: the `pg`
 * extended protocol and PGlite's `query` take a single statement.
 */
const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS orders (
     id         bigserial PRIMARY KEY,
     amount     numeric(12, 2) NOT NULL CHECK (amount >= 0),
     region     text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now()
   )`,
  // One row per report: the newest snapshot is what every reader wants, and an upsert keeps it
  // one indexed lookup however long the app runs.
  `CREATE TABLE IF NOT EXISTS report_snapshots (
     name        text PRIMARY KEY,
     computed_at timestamptz NOT NULL,
     duration_ms double precision NOT NULL,
     data        jsonb NOT NULL
   )`,
];

export async function migrate(db: Database): Promise<void> {
  await applySchema(db, STATEMENTS);
}
