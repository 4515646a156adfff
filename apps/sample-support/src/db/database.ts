/**
 * The only thing the sample apps know about their database. Both drivers (PGlite in-process, `pg` for a
 * real PostgreSQL) serve the same SQL through it, and tests wrap it to count queries.
 */
export interface Database {
  /** One statement with `$1`-style parameters. Casts in the SQL keep result types the same on both drivers. */
  query<R extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
  close(): Promise<void>;
}
