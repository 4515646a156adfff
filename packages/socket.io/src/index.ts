// The server side of the task channel. Browser code imports `@celeriac/socket.io/client` instead.
export { TaskChannel, createTaskChannel, type TaskChannelNamespace } from './task-channel.js';
export { type ResolvedTaskChannelOptions, type TaskChannelOptions, type TaskChannelSocket, DEFAULT_TASK_CHANNEL_OPTIONS } from './task-channel-options.js';
export type {
  ClientToServerEvents,
  ServerToClientEvents,
  SubscribeOutcome,
  SubscriptionErrorCode,
  SubscriptionErrorInfo,
  TaskErrorInfo,
  TaskInfo,
  TaskUpdate,
} from './events.js';
