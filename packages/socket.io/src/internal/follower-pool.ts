import type { Celeriac } from '@celeriac/core';
import type { FollowerHooks } from './task-follower.js';
import { TaskFollower } from './task-follower.js';

/** At most one follower per task id in this process, however many sockets subscribe to it. */
export class FollowerPool {
  readonly #followers = new Map<string, TaskFollower>();

  constructor(
    private readonly app: Celeriac,
    private readonly hooksFor: (taskId: string) => FollowerHooks,
  ) {}

  get size(): number {
    return this.#followers.size;
  }

  get(taskId: string): TaskFollower | undefined {
    return this.#followers.get(taskId);
  }

  /** The follower of `taskId`, started now unless this process already follows it. */
  ensure(taskId: string): TaskFollower {
    const existing = this.#followers.get(taskId);
    if (existing !== undefined) return existing;
    const hooks = this.hooksFor(taskId);
    // A follower that ends (terminal state or failure) leaves the pool before its hooks run, so a
    // subscriber arriving from a hook's side effects starts a fresh one rather than joining a dead one.
    const follower: TaskFollower = new TaskFollower(taskId, this.app.result(taskId), {
      update: hooks.update,
      end: () => {
        this.#forget(follower);
        hooks.end();
      },
      fail: (error) => {
        this.#forget(follower);
        hooks.fail(error);
      },
    });
    this.#followers.set(taskId, follower);
    return follower;
  }

  /** Stops following `taskId` (its room emptied). */
  stop(taskId: string): void {
    const follower = this.#followers.get(taskId);
    if (follower === undefined) return;
    this.#followers.delete(taskId);
    follower.stop();
  }

  /** Stops every follower and waits for their loops to finish (so their backend subscriptions are gone). */
  async stopAll(): Promise<void> {
    const all = [...this.#followers.values()];
    this.#followers.clear();
    for (const follower of all) follower.stop();
    await Promise.all(all.map((f) => f.done));
  }

  #forget(follower: TaskFollower): void {
    if (this.#followers.get(follower.taskId) === follower) this.#followers.delete(follower.taskId);
  }
}
