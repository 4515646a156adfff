import { type AsyncResult, type TaskRecord, isTerminal } from '@celeriac/core';
import type { TaskUpdate } from '../events.js';
import { toTaskUpdate } from './to-task-update.js';

export interface FollowerHooks {
  /** Every change, in `seq` order, starting with the state when following began. */
  update(update: TaskUpdate): void;
  /** After the terminal update: no more will come. */
  end(): void;
  /** The backend failed; the follower has stopped. */
  fail(error: unknown): void;
}

/**
 * Follows one task through the result backend for every subscriber in this process. `updates()`
 * subscribes before it reads, so nothing between a subscriber's acknowledgement and this loop's
 * start is lost; its `seq` ordering drops duplicates and late events.
 */
export class TaskFollower {
  readonly #controller = new AbortController();
  /** Settles once the loop is over (never rejects: failures go to `hooks.fail`). */
  readonly done: Promise<void>;
  /**
   * Resolves once the backend subscription is live and the current record read: from then on,
   * every record newer than `latest` will be emitted. Resolves with `undefined` if the loop ended
   * before (stopped or failed).
   */
  readonly live: Promise<TaskRecord | undefined>;
  /** The newest record emitted. */
  latest: TaskRecord | undefined;
  #resolveLive!: (record: TaskRecord | undefined) => void;

  constructor(
    readonly taskId: string,
    result: AsyncResult,
    hooks: FollowerHooks,
  ) {
    this.live = new Promise((resolve) => {
      this.#resolveLive = resolve;
    });
    this.done = this.#run(result, hooks).finally(() => this.#resolveLive(undefined));
  }

  get stopped(): boolean {
    return this.#controller.signal.aborted;
  }

  stop(): void {
    this.#controller.abort();
  }

  async #run(result: AsyncResult, hooks: FollowerHooks): Promise<void> {
    const { signal } = this.#controller;
    try {
      for await (const record of result.updates({ signal })) {
        // The queue may still hold records after a stop: nobody is listening for them.
        if (signal.aborted) return;
        this.latest = record;
        hooks.update(toTaskUpdate(record));
        this.#resolveLive(record);
        if (isTerminal(record.state)) {
          this.#controller.abort();
          hooks.end();
          return;
        }
      }
    } catch (error) {
      if (!signal.aborted) {
        this.#controller.abort();
        hooks.fail(error);
      }
    }
  }
}
