/** What the sample apps share: the database layer, the broker choice, env parsing and signal handling. */
export type { Database } from './db/database.js';
export { applySchema } from './db/apply-schema.js';
export { type DatabaseConfig, openDatabase } from './db/open-database.js';
export { openPglite } from './db/pglite-database.js';
export { openPostgres } from './db/postgres-database.js';
export { type OpenedStore, type OpenStoreOptions, openStore } from './queue/open-stores.js';
export { envInteger, nonEmpty } from './config/env.js';
export { readServerConfig, type ServerConfig } from './config/server-config.js';
export { type Closable, closeOnSignals } from './process/close-on-signals.js';
