// The plugin
export { celeriacDashboard, celeriacDashboard as default } from './plugin.js';
export { type AuthHook, type CeleriacDashboardOptions, DEFAULT_CELERIAC_DASHBOARD_OPTIONS } from './options.js';

// What its JSON API answers, for scripts and typed clients
export type { ActionResult, DashboardConfig, DeadLetterList, KnownTask, LiveMessage, Overview, TaskList, TaskLiveMessage, Throughput } from './wire-types.js';
