import pg from 'pg';
import type { Database } from './database.js';

/** A real PostgreSQL through a `pg` pool, so tasks running side by side use separate connections. */
export async function openPostgres(connectionString: string, maxConnections = 10): Promise<Database> {
  const pool = new pg.Pool({ connectionString, max: maxConnections });
  // An idle client losing its connection emits 'error' on the pool; without a listener that kills the process.
  pool.on('error', (error) => console.error(`postgres: idle connection failed: ${error.message}`));
  // Fail at start-up, not on the first request, when the URL is wrong or the server is down.
  await pool.query('SELECT 1');
  return {
    query: async <R extends object>(sql: string, params: readonly unknown[] = []) => {
      const { rows } = await pool.query<R>(sql, [...params]);
      return { rows };
    },
    close: () => pool.end(),
  };
}
