import type { Database } from './database.js';

/**
 * PostgreSQL's answers to a `CREATE … IF NOT EXISTS` that lost a race: the catalog's unique index
 * (23505, `unique_violation`), the relation (42P07, `duplicate_table`) or its row type (42710,
 * `duplicate_object`) found created meanwhile.
 */
const CREATED_MEANWHILE = new Set(['23505', '42P07', '42710']);
const ATTEMPTS = 3;

/**
 * Runs idempotent DDL (`CREATE … IF NOT EXISTS`), one statement per query, as every process of a
 * sample app does at start-up. A web process and a worker starting together on one PostgreSQL
 * race: `IF NOT EXISTS` looks before it creates, so the loser fails on the catalog's unique index
 * once the winner commits. The loser runs the statement again, and it finds the table there.
 */
export async function applySchema(db: Database, statements: readonly string[]): Promise<void> {
  for (const sql of statements) {
    for (let attempt = 1; ; attempt++) {
      try {
        await db.query(sql);
        break;
      } catch (error) {
        if (attempt === ATTEMPTS || !CREATED_MEANWHILE.has(errorCode(error))) throw error;
      }
    }
  }
}

function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
}
