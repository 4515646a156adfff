import type { Celeriac } from '@celeriac/core';
import { optionChecker, show } from '@celeriac/core/adapter';
import { type AuthHook, type CeleriacDashboardOptions, DEFAULT_CELERIAC_DASHBOARD_OPTIONS } from '../options.js';

export const WHERE = 'fastify.register(@celeriac/dashboard)';

/** Ours, and those Fastify's `register` takes for every plugin (it passes them on to the plugin). */
const KNOWN = new Set(['app', 'auth', 'readOnly', 'refreshInterval', 'title', 'prefix', 'logLevel', 'logSerializers']);
/** The admin API the dashboard reads and drives: an app without it is another kind of object. */
const ADMIN = ['queues', 'tasks', 'workers', 'schedules', 'deadLetters', 'events'] as const;

export interface ResolvedOptions {
  readonly app: Celeriac;
  readonly auth: AuthHook | undefined;
  readonly readOnly: boolean;
  readonly refreshInterval: number;
  readonly title: string;
}

/** Checks every option at registration, so a mistake fails there naming the option, not on a later request. */
export function resolveOptions(options: CeleriacDashboardOptions): ResolvedOptions {
  const check = optionChecker(WHERE);
  const { fail } = check;
  check.object(options);
  check.unknownKeys(options, KNOWN);
  const app = options.app as unknown;
  if (typeof app !== 'object' || app === null) fail('app', `is required: pass the Celeriac app, got ${show(app)}`);
  const record = app as Record<string, unknown>;
  const lacks = [...ADMIN.filter((name) => typeof record[name] !== 'object' || record[name] === null), ...['revoke', 'result'].filter((name) => typeof record[name] !== 'function')];
  if (lacks.length > 0) fail('app', `must be a Celeriac app with the admin API (it lacks ${lacks.join(', ')})`);
  const auth = options.auth;
  if (auth !== undefined && typeof auth !== 'function') fail('auth', `must be a function (request, reply) => void | Promise<void>, got ${show(auth)}`);
  const readOnly = options.readOnly ?? DEFAULT_CELERIAC_DASHBOARD_OPTIONS.readOnly;
  if (typeof readOnly !== 'boolean') fail('readOnly', `must be true or false, got ${show(readOnly)}`);
  const refreshInterval = check.timerMs('refreshInterval', options.refreshInterval ?? DEFAULT_CELERIAC_DASHBOARD_OPTIONS.refreshInterval);
  // Below this a page would make the store busier than the work it watches.
  if (refreshInterval < 100) fail('refreshInterval', `must be at least 100 ms, got ${refreshInterval}`);
  const title = options.title ?? DEFAULT_CELERIAC_DASHBOARD_OPTIONS.title;
  if (typeof title !== 'string' || title.trim() === '' || title.length > 100) fail('title', `must be a non-empty string of at most 100 characters, got ${show(title)}`);
  return { app: options.app, auth, readOnly, refreshInterval, title };
}
