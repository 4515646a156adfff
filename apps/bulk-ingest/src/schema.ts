import { type Database, applySchema } from '@celeriac/sample-support';

/**
 * Idempotent, so every process may run it at start-up. One statement per query: the `pg`
 * extended protocol and PGlite's `query` take a single statement.
 */
const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS ingest_batches (
     id         uuid PRIMARY KEY,
     total      integer NOT NULL CHECK (total > 0),
     rate_limit text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now()
   )`,
  // (batch_id, seq) is the idempotency key: a redelivered insert hits ON CONFLICT DO NOTHING.
  `CREATE TABLE IF NOT EXISTS ingested_rows (
     batch_id    uuid NOT NULL REFERENCES ingest_batches (id),
     seq         integer NOT NULL,
     value       double precision NOT NULL,
     inserted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     PRIMARY KEY (batch_id, seq)
   )`,
  // The progress route counts the rows of the last few seconds to show the rate.
  'CREATE INDEX IF NOT EXISTS ingested_rows_batch_time ON ingested_rows (batch_id, inserted_at)',
  // Rows whose every attempt failed, so progress can count them and the batch can end.
  `CREATE TABLE IF NOT EXISTS ingest_failures (
     batch_id  uuid NOT NULL REFERENCES ingest_batches (id),
     seq       integer NOT NULL,
     error     text NOT NULL,
     failed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     PRIMARY KEY (batch_id, seq)
   )`,
];

export async function migrate(db: Database): Promise<void> {
  await applySchema(db, STATEMENTS);
}
