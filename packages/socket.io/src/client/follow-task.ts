import type { TaskUpdate } from '../events.js';
import { type FollowOptions, type TaskSocket, TaskSubscriber } from './task-subscriber.js';

// One subscriber per socket: the server keeps one subscription per socket and task, so separate
// subscribers on one socket would unsubscribe each other.
const shared = new WeakMap<TaskSocket, TaskSubscriber>();

/**
 * Follows one task until it ends; resolves with its final update (see `TaskSubscriber.follow`).
 * Calls on the same socket share one `TaskSubscriber`, created with default options.
 */
export function followTask<R = unknown>(socket: TaskSocket, id: string, options?: FollowOptions<R>): Promise<TaskUpdate<R>> {
  let subscriber = shared.get(socket);
  if (subscriber === undefined) {
    subscriber = new TaskSubscriber(socket);
    shared.set(socket, subscriber);
  }
  return subscriber.follow(id, options);
}
