import { type Celeriac, InvalidOptionError } from '@celeriac/core';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { CeleriacFastifyOptions } from './options.js';
import { registerRoutes } from './internal/register-routes.js';
import { WHERE, resolveOptions } from './internal/resolve-options.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The Celeriac app given to `@celeriac/fastify`. */
    celeriac: Celeriac;
  }
}

const celeriacPlugin: FastifyPluginAsync<CeleriacFastifyOptions> = async (fastify, options) => {
  const resolved = resolveOptions(options);
  decorateApp(fastify, resolved.app);
  // Inside fastify-plugin, Fastify ignores `prefix`: an inner, encapsulated plugin applies it and
  // keeps the routes' hooks, validator and error handler away from the app's own routes.
  await fastify.register(async (instance) => registerRoutes(instance, resolved), { prefix: resolved.prefix });
};

/** The same app may serve several prefixes; a second, different app would make `fastify.celeriac` a lie. */
function decorateApp(fastify: FastifyInstance, app: Celeriac): void {
  if (!fastify.hasDecorator('celeriac')) {
    fastify.decorate('celeriac', app);
  } else if (fastify.celeriac !== app) {
    throw new InvalidOptionError(WHERE, 'app', 'differs from the app already decorated as fastify.celeriac: register one Celeriac app per Fastify instance');
  }
}

/**
 * The Fastify plugin: `POST <prefix>/tasks/:name`, `GET <prefix>/status/:id`,
 * `GET <prefix>/status/:id/events` and `DELETE <prefix>/tasks/:id`; decorates `fastify.celeriac`.
 */
export const celeriacFastify = fp(celeriacPlugin, { name: '@celeriac/fastify', fastify: '5.x' });
