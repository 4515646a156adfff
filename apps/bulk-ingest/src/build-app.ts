import { Celeriac, type RateLimitOption, type TaskHandle, type Worker } from '@celeriac/core';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Database } from '@celeriac/sample-support';
import { registerIndexPage } from './http/index-page.js';
import { registerIngestRoutes } from './http/ingest-routes.js';
import { defineIngestTasks } from './ingest/ingest-tasks.js';
import { openIngestStore } from './queue/open-stores.js';
import { migrate } from './schema.js';

export interface BulkIngestOptions {
  /** The database; yours to close. */
  db: Database;
  /** The Celeriac app to register the task on; yours to close. @defaultValue a new one on the in-memory broker, closed by `close()` */
  celeriac?: Celeriac;
  /** Inserts started per second/minute/hour, across every worker sharing the broker. @defaultValue `'500/s'` */
  rateLimit?: RateLimitOption & string;
  /** Delay before the first retry of a failed insert, in ms (doubling after). @defaultValue `500` */
  retryDelayMs?: number;
  /** Inserts the in-process worker runs at once: enough to reach the limit, given the insert latency. @defaultValue `16` */
  concurrency?: number;
  /** Run a worker in this process. @defaultValue `true` */
  runWorker?: boolean;
  /** Fastify's request logging. @defaultValue `false` */
  logRequests?: boolean;
}

export interface BulkIngestApp {
  readonly server: FastifyInstance;
  readonly celeriac: Celeriac;
  readonly insertRow: TaskHandle<[string, number, number], boolean>;
  /** Starts the worker, then listens; resolves with the server's URL. */
  start(listen?: { port?: number; host?: string }): Promise<string>;
  /** Stops taking requests, then lets running inserts finish. */
  close(): Promise<void>;
}

export const DEFAULT_RATE_LIMIT = '500/s';

export async function buildApp(options: BulkIngestOptions): Promise<BulkIngestApp> {
  const { db } = options;
  const rateLimit = options.rateLimit ?? DEFAULT_RATE_LIMIT;
  const owned = options.celeriac === undefined ? openIngestStore(undefined) : undefined;
  const celeriac = options.celeriac ?? new Celeriac({ store: (owned as NonNullable<typeof owned>).store });

  await migrate(db);
  const IngestTasks = defineIngestTasks({ rateLimit, retryDelayMs: options.retryDelayMs ?? 500 });
  const { insertRow } = celeriac.register(new IngestTasks(db));

  // No type coercion ("300" is not a count) and no silently dropped keys: a bad body is a 400.
  const server = Fastify({ logger: options.logRequests ?? false, ajv: { customOptions: { coerceTypes: false, removeAdditional: false } } });
  registerIngestRoutes(server, { db, insertRow, rateLimit });
  registerIndexPage(server);

  let worker: Worker | undefined;
  return {
    server,
    celeriac,
    insertRow,
    async start(listen = {}) {
      if (options.runWorker ?? true) {
        worker = celeriac.worker({ concurrency: options.concurrency ?? 16 });
        await worker.start();
      }
      return server.listen({ port: listen.port ?? 0, host: listen.host ?? '127.0.0.1' });
    },
    async close() {
      await server.close();
      await worker?.close();
      if (owned !== undefined) {
        await celeriac.close();
        await owned.close();
      }
    },
  };
}
