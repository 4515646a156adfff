import type { FastifyInstance } from 'fastify';
import type { Database } from '@celeriac/sample-support';
import { REPORT_NAME, type OrdersReport } from '../report/orders-report.js';
import { readSnapshot } from '../report/snapshots.js';

export interface ReportRouteOptions {
  db: Database;
  /** When the next scheduled run is due after `now`, to tell clients how long to wait before the first report. */
  nextRunAfter(now: number): number;
  /** Path of the manual trigger, mentioned in the not-ready message. */
  refreshPath: string;
}

/** Body of `GET /report`. */
export interface ReportResponse {
  report: string;
  computedAt: string;
  /** Age of the snapshot when this response was made, by the database's clock. */
  ageMs: number;
  /** How long the aggregate query took. */
  durationMs: number;
  data: OrdersReport;
}

const errorSchema = {
  type: 'object',
  properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' }, retryAfterSeconds: { type: 'integer' } },
} as const;

/**
 * `GET /report` reads the stored snapshot (one primary-key lookup) and never runs the aggregate:
 * that is the scheduled task's job, so the answer is immediate however large `orders` grows.
 */
export function registerReportRoute(server: FastifyInstance, options: ReportRouteOptions): void {
  server.get('/report', { schema: { response: { 503: errorSchema } } }, async (_request, reply) => {
    const snapshot = await readSnapshot<OrdersReport>(options.db, REPORT_NAME);
    if (snapshot === null) {
      // 503 + Retry-After rather than 404: the resource exists, it is just not computed yet.
      const now = Date.now();
      const due = options.nextRunAfter(now);
      const retryAfterSeconds = Math.max(1, Math.ceil((due - now) / 1000));
      return reply
        .code(503)
        .header('retry-after', String(retryAfterSeconds))
        .send({
          statusCode: 503,
          error: 'Service Unavailable',
          code: 'REPORT_NOT_READY',
          message: `The report has not been computed yet: the first scheduled run is due at ${new Date(due).toISOString()}. Retry in ${retryAfterSeconds} s, or trigger a run now with POST ${options.refreshPath}.`,
          retryAfterSeconds,
        });
    }
    const body: ReportResponse = {
      report: snapshot.name,
      computedAt: snapshot.computedAt.toISOString(),
      ageMs: snapshot.ageMs,
      durationMs: snapshot.durationMs,
      data: snapshot.data,
    };
    return reply.header('last-modified', snapshot.computedAt.toUTCString()).send(body);
  });
}
