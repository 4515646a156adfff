import type { Database } from './database.js';
import { openPglite } from './pglite-database.js';
import { openPostgres } from './postgres-database.js';

export interface DatabaseConfig {
  /** A `postgres://` URL; when absent, an embedded PGlite is used. */
  databaseUrl?: string | undefined;
  /** Where PGlite keeps its files; when absent, it lives in memory. */
  pgliteDir?: string | undefined;
}

/** `DATABASE_URL` switches from the embedded PGlite to a real PostgreSQL; the SQL is the same. */
export async function openDatabase(config: DatabaseConfig): Promise<{ db: Database; describe: string }> {
  if (config.databaseUrl !== undefined) {
    const db = await openPostgres(config.databaseUrl);
    return { db, describe: `PostgreSQL at ${redact(config.databaseUrl)}` };
  }
  const db = await openPglite(config.pgliteDir);
  return { db, describe: config.pgliteDir === undefined ? 'PGlite (in memory)' : `PGlite in ${config.pgliteDir}` };
}

/** Logs must not carry the password. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
