import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { CeleriacDashboardOptions } from './options.js';
import { registerRoutes } from './internal/register-routes.js';
import { resolveOptions } from './internal/resolve-options.js';

const dashboardPlugin: FastifyPluginAsync<CeleriacDashboardOptions> = async (fastify, options) => {
  await registerRoutes(fastify, resolveOptions(options));
};

/**
 * The dashboard as a Fastify plugin: the page at `<prefix>/`, its JSON API under
 * `<prefix>/api/`, live over Server-Sent Events. Mount it under any prefix with Fastify's own
 * option: `fastify.register(celeriacDashboard, { app, prefix: '/admin/queues' })`. It is
 * encapsulated: its hooks, error handler and not-found handler stay inside that prefix.
 */
export const celeriacDashboard = fp(dashboardPlugin, { name: '@celeriac/dashboard', fastify: '5.x', encapsulate: true });
