import { type Celeriac, type Logger, type TaskRecord, isTerminal } from '@celeriac/core';
import type { SubscribeOutcome, SubscriptionErrorCode } from '../events.js';
import type { TaskChannelSocket } from '../task-channel-options.js';
import type { FollowerPool } from './follower-pool.js';
import type { ParsedId } from './parse-ids.js';
import { roomOf, taskIdOf } from './rooms.js';
import { toTaskUpdate } from './to-task-update.js';

/** What one subscription needs from its channel. */
export interface SubscribeEnv<SocketData> {
  readonly app: Celeriac;
  readonly logger: Logger;
  readonly pool: FollowerPool;
  readonly maxSubscriptionsPerSocket: number;
  authorize(socket: TaskChannelSocket<SocketData>, taskId: string): boolean | Promise<boolean>;
  isClosed(): boolean;
}

/** Subscriptions of one socket still being checked: they count towards the limit before they join. */
export class PendingCount {
  value = 0;
}

/**
 * Subscribes `socket` to one task and returns its current state. Order matters: authorize before
 * looking the task up (a refused client learns nothing about the id), join the room before reading
 * (subscribe first, then read: an update stored in between reaches the socket either way).
 */
export async function subscribeOne<SocketData>(
  env: SubscribeEnv<SocketData>,
  socket: TaskChannelSocket<SocketData>,
  pending: PendingCount,
  parsed: ParsedId,
): Promise<SubscribeOutcome> {
  const { id } = parsed;
  if (!parsed.valid) return refuse(id, 'INVALID_ID', `"${id}" ${parsed.problem}`);
  const room = roomOf(id);
  // A task the socket already follows takes no new slot of the limit.
  let holdsSlot = !socket.rooms.has(room);
  if (holdsSlot) {
    if (countTaskRooms(socket) + pending.value >= env.maxSubscriptionsPerSocket) {
      return refuse(id, 'TOO_MANY_SUBSCRIPTIONS', `this socket already follows ${env.maxSubscriptionsPerSocket} unfinished tasks: unsubscribe from some first`);
    }
    pending.value++;
  }
  try {
    if (!(await isAllowed(env, socket, id))) {
      socket.leave(room); // a re-check that now fails ends an earlier subscription too
      return refuse(id, 'NOT_AUTHORIZED', `not authorized to follow task "${id}"`);
    }
    if (env.isClosed() || socket.disconnected) return refuse(id, 'UNAVAILABLE', 'the task channel is closed');
    await socket.join(room);
    if (holdsSlot) {
      pending.value--; // the room counts it from now on
      holdsSlot = false;
    }
    const record = await currentState(env, socket, id, room);
    if (typeof record === 'string') return refuse(id, record, MESSAGES[record](id));
    if (isTerminal(record.state)) socket.leave(room); // nothing more will happen: the acknowledgement is the final state
    return { id, ok: true, update: toTaskUpdate(record) };
  } finally {
    if (holdsSlot) pending.value--;
  }
}

const MESSAGES = {
  UNKNOWN_TASK: (id: string) => `no task with id "${id}": it was never enqueued, or its result was forgotten`,
  UNAVAILABLE: (id: string) => `could not follow task "${id}": the result backend failed or the channel is closing; try again later`,
} as const;

/**
 * The state to acknowledge, for a socket already in the task's room. It is the follower's newest
 * record once the follower is live, because from then on the follower emits every newer record to
 * the room: the acknowledgement plus the updates that follow it miss nothing. (A bare read would
 * race a follower still subscribing, and the changes in between would reach nobody.)
 */
async function currentState<SocketData>(
  env: SubscribeEnv<SocketData>,
  socket: TaskChannelSocket<SocketData>,
  id: string,
  room: string,
): Promise<TaskRecord | 'UNKNOWN_TASK' | 'UNAVAILABLE'> {
  let follower = env.pool.get(id);
  if (follower === undefined) {
    // Only a task with a record can be followed (`updates()` would wait forever for an unknown id).
    let read: TaskRecord | null;
    try {
      read = (await env.app.result(id).refresh()).record;
    } catch (error) {
      env.logger.error('task channel: reading a task for a subscriber failed', { taskId: id, error: String(error) });
      socket.leave(room);
      return 'UNAVAILABLE';
    }
    if (read === null) {
      socket.leave(room);
      return 'UNKNOWN_TASK';
    }
    if (isTerminal(read.state)) return read;
    // The socket may have unsubscribed or gone during the read; a follower for an empty room would never stop.
    if (!socket.rooms.has(room) || env.isClosed()) return read;
    follower = env.pool.ensure(id);
  }
  const first = await follower.live;
  if (first === undefined || follower.latest === undefined || env.isClosed()) {
    socket.leave(room); // the follower failed (its subscribers were told) or the channel closed meanwhile
    return 'UNAVAILABLE';
  }
  return follower.latest;
}

async function isAllowed<SocketData>(env: SubscribeEnv<SocketData>, socket: TaskChannelSocket<SocketData>, id: string): Promise<boolean> {
  try {
    return (await env.authorize(socket, id)) === true;
  } catch (error) {
    env.logger.warn('task channel: authorize threw; refusing the subscription', { taskId: id, socketId: socket.id, error: String(error) });
    return false;
  }
}

function countTaskRooms(socket: { rooms: ReadonlySet<string> }): number {
  let n = 0;
  for (const room of socket.rooms) if (taskIdOf(room) !== undefined) n++;
  return n;
}

function refuse(id: string, code: SubscriptionErrorCode, message: string): SubscribeOutcome {
  return { id, ok: false, error: { code, message } };
}
