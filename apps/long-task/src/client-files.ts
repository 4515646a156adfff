import { readFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/**
 * Serves the built `@celeriac/socket.io/client` modules to the page as plain ES modules, so the
 * demo needs no bundler. Only `.js` files inside that folder are served.
 */
export function serveClientModules(fastify: FastifyInstance, urlPrefix: string): void {
  const root = dirname(fileURLToPath(import.meta.resolve('@celeriac/socket.io/client')));
  fastify.get(`${urlPrefix}/*`, async (request, reply) => {
    const wanted = (request.params as { '*': string })['*'];
    const path = normalize(join(root, wanted));
    if (!path.startsWith(root + sep) || !path.endsWith('.js')) {
      return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `No client module ${JSON.stringify(wanted)}` });
    }
    try {
      const source = await readFile(path, 'utf8');
      return reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(source);
    } catch {
      return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `No client module ${JSON.stringify(wanted)}` });
    }
  });
}
