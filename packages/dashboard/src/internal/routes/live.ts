import type { Dashboard, Resource } from '../dashboard.js';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.js';
import { queryOf } from '../params.js';
import { openEventStream } from '../live/sse.js';

/** How many resources one stream may watch: a page needs two or three. */
const MAX_WATCHED = 8;

/**
 * `GET api/live?watch=<resource>&watch=…`: Server-Sent Events, one per watched resource whenever
 * it changed (`data: { key, data }`), the first at once. A resource is named as its GET route
 * under `api/`, query included: `watch=overview`, `watch=tasks?state=FAILURE&offset=25`. Every
 * watch is checked before the stream opens, so a bad one is a 400, not a silent stream.
 */
export function registerLiveRoute(instance: FastifyInstance, dashboard: Dashboard, resources: ReadonlyMap<string, Resource>): void {
  instance.get('/api/live', { exposeHeadRoute: false }, async (request, reply) => {
    const keys = [...new Set(queryOf(request.url).getAll('watch'))];
    if (keys.length === 0 || keys.length > MAX_WATCHED) throw new HttpError(400, 'CELERIAC_DASHBOARD_BAD_REQUEST', `Watch 1 to ${MAX_WATCHED} resources, e.g. ?watch=overview (got ${keys.length})`);
    const reads = keys.map((key) => {
      const at = key.indexOf('?');
      const resource = resources.get(at < 0 ? key : key.slice(0, at));
      if (resource === undefined) throw new HttpError(400, 'CELERIAC_DASHBOARD_BAD_REQUEST', `Cannot watch ${JSON.stringify(key)} (known: ${[...resources.keys()].join(', ')})`);
      return { key, read: resource(new URLSearchParams(at < 0 ? '' : key.slice(at + 1))) };
    });
    dashboard.followEvents();
    return openEventStream(request, reply, dashboard.streams, (stream) => {
      const send = (key: string, json: string) => stream.send(key, `{"key":${JSON.stringify(key)},"data":${json}}`);
      const unwatch = reads.map(({ key, read }) => dashboard.live.watch(key, read, send));
      return () => {
        for (const stop of unwatch) stop();
      };
    });
  });
}
