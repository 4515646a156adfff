import { PGlite } from '@electric-sql/pglite';
import type { Database } from './database.js';

/**
 * Postgres compiled to WASM, running in this process: the demo needs no server. In memory unless
 * `dataDir` is given. PGlite serializes queries itself, so one instance serves every caller.
 */
export async function openPglite(dataDir?: string): Promise<Database> {
  const db = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
  await db.waitReady;
  return {
    query: async <R extends object>(sql: string, params: readonly unknown[] = []) => {
      const { rows } = await db.query<R>(sql, [...params]);
      return { rows };
    },
    close: () => db.close(),
  };
}
