import type { Celeriac } from '@celeriac/core';
import type { AuthHook } from '@celeriac/fastify';

export type { AuthHook };

export interface CeleriacDashboardOptions {
  /** The app whose queues, tasks, workers, schedules and dead letters are shown (through its admin API). */
  app: Celeriac;
  /**
   * Runs before every route of the dashboard (the page, its assets, its API and its live streams),
   * the same hook as `@celeriac/fastify`'s: reply with a 4xx, or throw an error with a 4xx
   * `statusCode`, to refuse. @defaultValue none (every request is let through)
   */
  auth?: AuthHook;
  /**
   * Shows everything but changes nothing: the page hides its buttons, and the server answers
   * every action (pause, purge, retry, revoke, requeue…) with `403`. @defaultValue `false`
   */
  readOnly?: boolean;
  /**
   * How often, in ms, the server reads the admin API for the pages that are open (counts, lists)
   * and pushes what changed over Server-Sent Events. Nothing is read while no page is open.
   * @defaultValue `2_000`
   */
  refreshInterval?: number;
  /** The page's title, e.g. the deployment's name. @defaultValue `'Celeriac'` */
  title?: string;
}

export const DEFAULT_CELERIAC_DASHBOARD_OPTIONS = {
  readOnly: false,
  refreshInterval: 2_000,
  title: 'Celeriac',
} as const satisfies Required<Pick<CeleriacDashboardOptions, 'readOnly' | 'refreshInterval' | 'title'>>;
