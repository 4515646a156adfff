import type { FastifyInstance } from 'fastify';
import { errorHandler } from './error-handler.js';
import type { ResolvedOptions } from './resolve-options.js';
import { registerEnqueueRoutes } from './routes/enqueue.js';
import { registerEventsRoute } from './routes/events.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { registerRevokeRoute } from './routes/revoke.js';
import { registerStatusRoute } from './routes/status.js';
import { formatSchemaErrors } from './schema-errors.js';

/** Everything scoped to the plugin's encapsulated context: validator, errors, auth, routes. */
export function registerRoutes(instance: FastifyInstance, options: ResolvedOptions): void {
  const { ajv, auth } = options;
  instance.setValidatorCompiler(({ schema }) => ajv.compile(schema));
  instance.setSchemaErrorFormatter((errors, dataVar) => new Error(formatSchemaErrors(errors, dataVar)));
  instance.setErrorHandler(errorHandler);

  if (auth !== undefined) {
    // onRequest: before the body is even read, so a refused client cannot make the server parse it.
    instance.addHook('onRequest', async (request, reply) => {
      await auth(request, reply);
      // Returning the reply tells Fastify the hook answered and the route must not run.
      if (reply.sent) return reply;
    });
  }

  const streams = new Set<AbortController>();
  // Open event streams would keep fastify.close() waiting for ever; end them first.
  instance.addHook('preClose', async () => {
    for (const controller of streams) controller.abort();
  });

  registerEnqueueRoutes(instance, options);
  registerStatusRoute(instance, options);
  registerEventsRoute(instance, options, streams);
  registerRevokeRoute(instance, options);
  registerMetricsRoute(instance, options);
}
