import { Celeriac, type Scheduler, type TaskHandle, type Worker } from '@celeriac/core';
import { celeriacFastify } from '@celeriac/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Database } from '@celeriac/sample-support';
import { registerReportRoute } from './http/report-route.js';
import { seedOrders } from './orders/insert-orders.js';
import { registerTasks } from './register-tasks.js';
import { REFRESH_TASK, type RefreshOutcome } from './report/report-tasks.js';
import { migrate } from './schema.js';

export interface PeriodicReportOptions {
  /** The database; yours to close. */
  db: Database;
  /** The Celeriac app to register the tasks on; yours to close. @defaultValue a new one on the in-memory broker, closed by `close()` */
  celeriac?: Celeriac;
  /** How often the report is recomputed, in ms. @defaultValue `10_000` */
  reportEveryMs?: number;
  /** A periodic task inserting random orders so the table grows, or `false` for none. @defaultValue `false` */
  simulate?: { everyMs: number; ordersPerRun: number } | false;
  /** Random orders inserted at start-up when the table is empty. @defaultValue `0` */
  seedOrders?: number;
  /** How often the scheduler looks for due runs. @defaultValue a quarter of the shortest interval, at most 1 s */
  schedulerTick?: number;
  /** Tasks the in-process worker runs at once. @defaultValue `4` */
  concurrency?: number;
  /** Run the scheduler and worker in this process (`false`: they run as `celeriac worker` / `celeriac scheduler`, see app.ts). @defaultValue `true` */
  runWorker?: boolean;
  /** Fastify's request logging. @defaultValue `false` */
  logRequests?: boolean;
}

export interface PeriodicReportApp {
  readonly server: FastifyInstance;
  readonly celeriac: Celeriac;
  readonly refresh: TaskHandle<[], RefreshOutcome>;
  /** Starts the worker and the scheduler, then listens; resolves with the server's URL. */
  start(listen?: { port?: number; host?: string }): Promise<string>;
  /** Stops taking requests, then stops scheduling, then lets running tasks finish. */
  close(): Promise<void>;
}

export const DEFAULT_REPORT_EVERY_MS = 10_000;

export async function buildApp(options: PeriodicReportOptions): Promise<PeriodicReportApp> {
  const { db } = options;
  const reportEveryMs = options.reportEveryMs ?? DEFAULT_REPORT_EVERY_MS;
  const ownsCeleriac = options.celeriac === undefined;
  const celeriac = options.celeriac ?? new Celeriac();

  await migrate(db);
  await seedOrders(db, options.seedOrders ?? 0);

  const { refresh, intervals } = registerTasks(celeriac, { db, reportEveryMs, simulate: options.simulate ?? false });
  // A tick longer than an interval would see several runs due at once and treat them as missed.
  const tick = options.schedulerTick ?? Math.max(10, Math.min(1_000, Math.floor(Math.min(...intervals) / 4)));
  const schedule = celeriac.registry.schedules().find((s) => s.task === REFRESH_TASK);

  const server = Fastify({ logger: options.logRequests ?? false });
  await server.register(celeriacFastify, {
    app: celeriac,
    prefix: '/api',
    tasks: [{ task: refresh, args: { type: 'array', maxItems: 0 }, description: 'Recompute the report now, off schedule' }],
  });
  registerReportRoute(server, {
    db,
    nextRunAfter: (now) => schedule?.nextAfter(now) ?? now + reportEveryMs,
    refreshPath: `/api/tasks/${REFRESH_TASK}`,
  });

  let worker: Worker | undefined;
  let scheduler: Scheduler | undefined;
  return {
    server,
    celeriac,
    refresh,
    async start(listen = {}) {
      if (options.runWorker ?? true) {
        worker = celeriac.worker({ concurrency: options.concurrency ?? 4 });
        await worker.start();
        // 'once': after downtime the stored report is stale, so refresh it once at start rather than wait.
        scheduler = celeriac.scheduler({ tick, catchUp: 'once' });
        await scheduler.start();
      }
      return server.listen({ port: listen.port ?? 0, host: listen.host ?? '127.0.0.1' });
    },
    async close() {
      await server.close();
      await scheduler?.close();
      await worker?.close();
      if (ownsCeleriac) await celeriac.close();
    },
  };
}
