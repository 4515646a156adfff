import type { Celeriac } from '@celeriac/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * A JSON Schema (draft-07, as Fastify uses) given as a plain object. Kept loose on purpose: schemas
 * are data for the validator, and a precise type would reject valid keywords.
 */
export type JsonSchema = { readonly [keyword: string]: unknown };

/**
 * Runs before every route of the plugin, before the body is read. Reply (e.g. `reply.code(401).send(…)`)
 * or throw an error with a 4xx `statusCode` to refuse the request; return to let it through.
 */
export type AuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void> | void;

/** Apply options a route uses when the request does not give them. */
export interface ExposedTaskDefaults {
  /** Run no earlier than this many ms after the request (unless the request gives `countdown` or `eta`). */
  countdown?: number;
  /** Expire this many ms after the request (unless the request gives `expires`). */
  expires?: number;
  /** 0 to 9, higher first. */
  priority?: number;
  /** The queue to publish to. Only the server chooses queues: requests cannot. */
  queue?: string;
}

/** One task reachable over HTTP. Nothing else is: the list is an allow-list. */
export interface ExposedTask {
  /** A handle from `app.register()` / `app.task()`, or the name of a task (it may run only in remote workers). */
  task: string | { readonly name: string };
  /**
   * JSON Schema of the argument array (its root must be `type: 'array'`), checked on every request.
   * Pass `'any'` to accept any JSON array: an explicit opt-out, because argument types cannot be
   * read from a compiled TypeScript method.
   */
  args: JsonSchema | 'any';
  /** Apply options used when a request leaves them out; the request's own options win. */
  defaults?: ExposedTaskDefaults;
  /** Shown in the OpenAPI documentation of the task's route. */
  description?: string;
}

/** A source of Prometheus metrics, e.g. `celeriacMetrics(app)` from `@celeriac/prometheus`. */
export interface MetricsSource {
  /** The content type of the text (Prometheus text format). */
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface CeleriacFastifyOptions {
  /** The app whose tasks are enqueued and whose results are read; decorated as `fastify.celeriac`. */
  app: Celeriac;
  /**
   * Prefix of every route, e.g. `'/api'`: starts with `/`, does not end with one.
   * @defaultValue `''` (routes at `/tasks/:name` and `/status/:id`, as in the seed)
   */
  prefix?: string;
  /**
   * The tasks `POST <prefix>/tasks/:name` may enqueue.
   * @defaultValue `[]` (nothing can be enqueued; the status routes still work)
   */
  tasks?: readonly ExposedTask[];
  /** Runs before every route; see {@link AuthHook}. @defaultValue none (every request is let through) */
  auth?: AuthHook;
  /**
   * Serves `GET <prefix>/metrics` from this source (behind `auth`, like every route), e.g.
   * `celeriacMetrics(app)` from `@celeriac/prometheus`. @defaultValue none (no metrics route)
   */
  metrics?: MetricsSource;
  /** Largest request body in bytes; larger ones get `413`. @defaultValue `1_048_576` (Fastify's own default) */
  bodyLimit?: number;
}

export const DEFAULT_CELERIAC_FASTIFY_OPTIONS = {
  prefix: '',
  tasks: [],
  bodyLimit: 1_048_576,
} as const satisfies Required<Pick<CeleriacFastifyOptions, 'prefix' | 'tasks' | 'bodyLimit'>>;

