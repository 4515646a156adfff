import { envInteger, nonEmpty } from './env.js';

/** The settings every sample app reads the same way: where to listen, and which database and broker to use. */
export interface ServerConfig {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  pgliteDir: string | undefined;
  redisUrl: string | undefined;
}

/** `PORT`, `HOST`, `DATABASE_URL`, `PGLITE_DIR` and `REDIS_URL`; a bad `PORT` throws. */
export function readServerConfig(env: NodeJS.ProcessEnv, defaultPort: number): ServerConfig {
  return {
    port: envInteger(env, 'PORT', defaultPort, 0, 65_535),
    host: env.HOST ?? '127.0.0.1',
    databaseUrl: nonEmpty(env.DATABASE_URL),
    pgliteDir: nonEmpty(env.PGLITE_DIR),
    redisUrl: nonEmpty(env.REDIS_URL),
  };
}
