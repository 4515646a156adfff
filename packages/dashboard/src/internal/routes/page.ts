import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { UI_DIR } from '../../ui-dir.js';
import type { Dashboard } from '../dashboard.js';

/** The page loads nothing from elsewhere and may not be framed by another site. */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

/**
 * The page at `<prefix>/` and its prebuilt assets at `<prefix>/assets/` (hashed names, so cached
 * for good; the page itself never is). `<prefix>` without the slash redirects, since the page's
 * asset and API URLs are relative to it.
 */
export async function registerPage(instance: FastifyInstance, dashboard: Dashboard): Promise<void> {
  const index = join(UI_DIR, 'index.html');
  if (!existsSync(index)) {
    throw new Error(`@celeriac/dashboard: cannot find the dashboard's built page at ${index}: the package was installed without its dist/ui (in this repository, run pnpm build)`);
  }
  const escaped = dashboard.options.title.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const page = readFileSync(index, 'utf8').replace('<title>Celeriac</title>', `<title>${escaped}</title>`);

  await instance.register(fastifyStatic, { root: join(UI_DIR, 'assets'), prefix: '/assets/', wildcard: false, decorateReply: false, immutable: true, maxAge: '365d', index: false });
  const sendPage = { prefixTrailingSlash: 'slash' as const, exposeHeadRoute: true };
  instance.get('/', sendPage, async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').header('content-security-policy', CSP).send(page));
  if (instance.prefix !== '') {
    instance.get('/', { prefixTrailingSlash: 'no-slash' }, async (request, reply) => {
      const at = request.url.indexOf('?');
      return reply.redirect(at < 0 ? `${request.url}/` : `${request.url.slice(0, at)}/${request.url.slice(at)}`, 302);
    });
  }
}
