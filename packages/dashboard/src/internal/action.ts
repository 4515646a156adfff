import type { FastifyInstance } from 'fastify';
import type { ActionResult } from '../wire-types.js';
import type { Dashboard } from './dashboard.js';
import { HttpError } from './errors.js';

/**
 * Registers `POST <path>`, an action: refused with 403 in read-only mode (before its body is
 * read), and only with a JSON body. Browsers send JSON across sites only after a CORS preflight,
 * so a form on another site cannot make a signed-in user's browser purge a queue.
 */
export function action<P extends Record<string, string>>(instance: FastifyInstance, dashboard: Dashboard, path: string, run: (params: P) => Promise<ActionResult>): void {
  instance.post<{ Params: P }>(
    path,
    {
      onRequest: async () => {
        if (dashboard.options.readOnly) throw new HttpError(403, 'CELERIAC_DASHBOARD_READ_ONLY', 'The dashboard is read-only: actions are turned off');
      },
      preValidation: async (request) => {
        const type = request.headers['content-type'] ?? '';
        if (!/^application\/json\s*(;|$)/i.test(type)) throw new HttpError(415, 'CELERIAC_DASHBOARD_JSON_ONLY', 'Actions take a JSON body: send Content-Type: application/json and {}');
      },
    },
    async (request) => run(request.params as P),
  );
}
