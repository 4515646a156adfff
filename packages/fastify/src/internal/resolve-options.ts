import type { Celeriac } from '@celeriac/core';
import { type AuthHook, type CeleriacFastifyOptions, type MetricsSource, DEFAULT_CELERIAC_FASTIFY_OPTIONS } from '../options.js';
import type { Ajv } from 'ajv';
import { createAjv } from './ajv.js';
import { type ResolvedExposedTask, resolveExposedTasks } from './resolve-tasks.js';
import { optionChecker, show } from '@celeriac/core/adapter';

export const WHERE = 'fastify.register(@celeriac/fastify)';

const KNOWN = new Set(['app', 'prefix', 'tasks', 'auth', 'bodyLimit', 'metrics']);
// Each segment is literal text: a `:param` or `*` would make every Location header wrong.
const PREFIX_PATTERN = /^(\/[A-Za-z0-9._~!$&'()+,;=@%-]+)+$/;

export interface ResolvedOptions {
  readonly app: Celeriac;
  readonly prefix: string;
  /** Exposed tasks by name, in the order given. */
  readonly tasks: ReadonlyMap<string, ResolvedExposedTask>;
  readonly auth: AuthHook | undefined;
  readonly bodyLimit: number;
  readonly metrics: MetricsSource | undefined;
  /** The validator the routes use; the task schemas were compiled with it. */
  readonly ajv: Ajv;
}

/** Checks every option up front, so a mistake fails registration naming the option, not a later request. */
export function resolveOptions(options: CeleriacFastifyOptions): ResolvedOptions {
  const check = optionChecker(WHERE);
  const { fail } = check;
  if (typeof options !== 'object' || options === null) fail('options', `must be an object with at least { app }, got ${show(options)}`);
  check.unknownKeys(options, KNOWN);
  const app = options.app as unknown;
  if (typeof app !== 'object' || app === null) fail('app', `is required: pass the Celeriac app, got ${show(app)}`);
  const missing = ['send', 'result', 'revoke'].filter((m) => typeof (app as Record<string, unknown>)[m] !== 'function');
  if (missing.length > 0) fail('app', `must be a Celeriac app (it lacks ${missing.join(', ')})`);

  const prefix = options.prefix ?? DEFAULT_CELERIAC_FASTIFY_OPTIONS.prefix;
  if (typeof prefix !== 'string' || (prefix !== '' && !PREFIX_PATTERN.test(prefix))) {
    fail('prefix', `must be '' or a path such as '/api' (starting with /, no trailing /, no :params), got ${show(prefix)}`);
  }
  const auth = options.auth;
  if (auth !== undefined && typeof auth !== 'function') fail('auth', `must be a function (request, reply) => void | Promise<void>, got ${show(auth)}`);
  const bodyLimit = options.bodyLimit ?? DEFAULT_CELERIAC_FASTIFY_OPTIONS.bodyLimit;
  check.positiveInt('bodyLimit', bodyLimit);

  const metrics = options.metrics;
  if (metrics !== undefined && (typeof metrics !== 'object' || metrics === null || typeof metrics.metrics !== 'function' || typeof metrics.contentType !== 'string')) {
    fail('metrics', `must be a metrics source { contentType, metrics() }, e.g. celeriacMetrics(app) from @celeriac/prometheus, got ${show(metrics)}`);
  }
  const ajv = createAjv();
  const tasks = resolveExposedTasks(options.tasks ?? DEFAULT_CELERIAC_FASTIFY_OPTIONS.tasks, ajv, fail);
  return { app: options.app, prefix, tasks, auth, bodyLimit, metrics, ajv };
}
