// The browser (and Node) side of the task channel: no server, Node or @celeriac/core code at runtime.
export { TaskSubscriber, type FollowOptions, type TaskSocket } from './task-subscriber.js';
export { followTask } from './follow-task.js';
export { TaskSubscriptionError, type TaskSubscriptionErrorCode } from './task-subscription-error.js';
export { type TaskSubscriberOptions, type ResolvedTaskSubscriberOptions, DEFAULT_TASK_SUBSCRIBER_OPTIONS } from './task-subscriber-options.js';
export { isTerminalState } from './is-terminal-state.js';
export type {
  ClientToServerEvents,
  ServerToClientEvents,
  SubscribeOutcome,
  SubscriptionErrorCode,
  SubscriptionErrorInfo,
  TaskErrorInfo,
  TaskInfo,
  TaskUpdate,
} from '../events.js';
