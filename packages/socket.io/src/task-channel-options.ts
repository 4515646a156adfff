import { optionChecker, show } from '@celeriac/core/adapter';
import type { DefaultEventsMap, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from './events.js';

/** A socket of the task channel's namespace, as the `authorize` hook sees it. */
export type TaskChannelSocket<SocketData = unknown> = Socket<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, SocketData>;

export interface TaskChannelOptions<SocketData = unknown> {
  /**
   * The Socket.IO namespace the channel listens on. A namespace of its own keeps the channel's events
   * and middleware (e.g. `io.of('/celeriac').use(auth)`) apart from the app's; pass `'/'` to share
   * the main namespace.
   * @defaultValue `'/celeriac'`
   */
  namespace?: string;
  /**
   * Decides whether `socket` may follow `taskId`; called on every subscription, before the task is
   * looked up (so a refused client cannot learn which ids exist). A throw counts as a refusal.
   * @defaultValue allow all: a task id (a random UUID by default) is the capability
   */
  authorize?: (socket: TaskChannelSocket<SocketData>, taskId: string) => boolean | Promise<boolean>;
  /**
   * How many unfinished tasks one socket may follow at once; finished tasks do not count.
   * Bounds what one client can make the server hold.
   * @defaultValue `100`
   */
  maxSubscriptionsPerSocket?: number;
}

export interface ResolvedTaskChannelOptions<SocketData = unknown> {
  namespace: string;
  authorize: (socket: TaskChannelSocket<SocketData>, taskId: string) => boolean | Promise<boolean>;
  maxSubscriptionsPerSocket: number;
}

export const DEFAULT_TASK_CHANNEL_OPTIONS: Readonly<ResolvedTaskChannelOptions> = Object.freeze({
  namespace: '/celeriac',
  authorize: () => true,
  maxSubscriptionsPerSocket: 100,
});

const WHERE = 'createTaskChannel()';
const KNOWN = new Set(['namespace', 'authorize', 'maxSubscriptionsPerSocket']);

/** Checks everything at start-up, so a typo fails now rather than on the first subscription. */
export function resolveTaskChannelOptions<SocketData>(options: TaskChannelOptions<SocketData> | undefined): ResolvedTaskChannelOptions<SocketData> {
  const check = optionChecker(WHERE);
  const o = check.object(options ?? {}) as TaskChannelOptions<SocketData>;
  check.unknownKeys(o, KNOWN);
  const { namespace, authorize, maxSubscriptionsPerSocket } = o;
  if (namespace !== undefined && (typeof namespace !== 'string' || !namespace.startsWith('/'))) {
    check.fail('namespace', `must be a string starting with "/", e.g. "/celeriac", got ${show(namespace)}`);
  }
  if (authorize !== undefined && typeof authorize !== 'function') {
    check.fail('authorize', `must be a function (socket, taskId) => boolean | Promise<boolean>, got ${show(authorize)}`);
  }
  if (maxSubscriptionsPerSocket !== undefined) check.positiveInt('maxSubscriptionsPerSocket', maxSubscriptionsPerSocket);
  return {
    namespace: namespace ?? DEFAULT_TASK_CHANNEL_OPTIONS.namespace,
    authorize: authorize ?? DEFAULT_TASK_CHANNEL_OPTIONS.authorize,
    maxSubscriptionsPerSocket: maxSubscriptionsPerSocket ?? DEFAULT_TASK_CHANNEL_OPTIONS.maxSubscriptionsPerSocket,
  };
}
