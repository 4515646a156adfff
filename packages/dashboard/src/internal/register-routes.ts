import type { FastifyInstance } from 'fastify';
import { Dashboard, type Resource } from './dashboard.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { queryOf } from './params.js';
import type { ResolvedOptions } from './resolve-options.js';
import { deadLetterRoutes } from './routes/dead-letters.js';
import { registerLiveRoute } from './routes/live.js';
import { overviewRoutes } from './routes/overview.js';
import { registerPage } from './routes/page.js';
import { queueRoutes } from './routes/queues.js';
import { scheduleRoutes } from './routes/schedules.js';
import { registerTaskLiveRoute } from './routes/task-live.js';
import { taskRoutes } from './routes/tasks.js';
import { workerRoutes } from './routes/workers.js';

/** Everything scoped to the dashboard's encapsulated context: errors, auth, the page, the API, the streams. */
export async function registerRoutes(instance: FastifyInstance, options: ResolvedOptions): Promise<void> {
  instance.setErrorHandler(errorHandler);
  instance.setNotFoundHandler(notFoundHandler);
  const { auth } = options;
  if (auth !== undefined) {
    // onRequest: before the body is even read, so a refused client cannot make the server parse it.
    instance.addHook('onRequest', async (request, reply) => {
      await auth(request, reply);
      // Returning the reply tells Fastify the hook answered and the route must not run.
      if (reply.sent) return reply;
    });
  }
  const dashboard = new Dashboard(options, instance.log);
  // Open event streams would keep fastify.close() waiting for ever; end them first.
  instance.addHook('preClose', () => dashboard.close());

  const groups = [overviewRoutes, queueRoutes, taskRoutes, workerRoutes, scheduleRoutes, deadLetterRoutes].map((group) => group(dashboard));
  const resources = new Map<string, Resource>();
  for (const group of groups) for (const [name, resource] of Object.entries(group.resources ?? {})) resources.set(name, resource);
  for (const [name, resource] of resources) instance.get(`/api/${name}`, async (request) => resource(queryOf(request.url))());
  for (const group of groups) group.register?.(instance);
  registerLiveRoute(instance, dashboard, resources);
  registerTaskLiveRoute(instance, dashboard);
  await registerPage(instance, dashboard);
}

