// The plugin
export { celeriacFastify, celeriacFastify as default } from './plugin.js';
export {
  type AuthHook,
  type CeleriacFastifyOptions,
  type ExposedTask,
  type ExposedTaskDefaults,
  type JsonSchema,
  type MetricsSource,
  DEFAULT_CELERIAC_FASTIFY_OPTIONS,
} from './options.js';

// What travels over HTTP, for typed clients and for apps serving the status shape themselves
export { toTaskStatus } from './task-status.js';
export type { EnqueueRequest, ErrorResponse, TaskAccepted, TaskStatus, TaskStatusError, TaskStatusEvent } from './wire-types.js';
