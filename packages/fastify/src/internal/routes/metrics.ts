import type { FastifyInstance } from 'fastify';
import type { ResolvedOptions } from '../resolve-options.js';
import { documented } from '../schemas.js';

/** `GET /metrics`: the Prometheus text exposition of the `metrics` option (behind `auth`, like every route). */
export function registerMetricsRoute(instance: FastifyInstance, options: ResolvedOptions): void {
  const { metrics } = options;
  if (metrics === undefined) return;
  instance.get('/metrics', { schema: documented({ summary: 'Prometheus metrics of the app (text exposition format)', tags: ['metrics'] }) }, async (_request, reply) => {
    const text = await metrics.metrics();
    return reply.type(metrics.contentType).send(text);
  });
}
