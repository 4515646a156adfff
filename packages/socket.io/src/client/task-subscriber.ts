import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeOutcome, TaskUpdate } from '../events.js';
import { isTerminalState } from './is-terminal-state.js';
import { TrackedTask, type Watcher } from './internal/tracked-task.js';
import { TaskSubscriptionError, type TaskSubscriptionErrorCode } from './task-subscription-error.js';
import { type ResolvedTaskSubscriberOptions, type TaskSubscriberOptions, resolveTaskSubscriberOptions } from './task-subscriber-options.js';

/** A socket connected to the task channel's namespace (e.g. `io('https://host/celeriac')`). */
export type TaskSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface FollowOptions<R = unknown> {
  /** Called with every newer state, the current one first, ending with the terminal one. */
  onUpdate?: (update: TaskUpdate<R>) => void;
  /** Stop following: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Follows tasks over one socket: subscribes, applies only updates newer than the last (by `seq`),
 * subscribes again after every reconnect (applying the acknowledged state if it is newer), and
 * settles each `follow()` when its task ends. Use one subscriber per socket: the server keeps one
 * subscription per socket and task, so two subscribers would unsubscribe each other.
 */
export class TaskSubscriber {
  readonly options: Readonly<ResolvedTaskSubscriberOptions>;
  readonly #socket: TaskSocket;
  readonly #tasks = new Map<string, TrackedTask>();
  #closed = false;

  constructor(socket: TaskSocket, options?: TaskSubscriberOptions) {
    this.options = Object.freeze(resolveTaskSubscriberOptions(options, 'new TaskSubscriber()'));
    this.#socket = socket;
    socket.on('task:update', this.#onUpdate);
    socket.on('task:error', this.#onError);
    socket.on('connect', this.#onConnect);
    socket.on('connect_error', this.#onConnectError);
  }

  /** Ids of the tasks being followed. */
  get following(): string[] {
    return [...this.#tasks.keys()];
  }

  /** The newest state applied for a followed task. */
  latest(id: string): TaskUpdate | undefined {
    return this.#tasks.get(id)?.latest;
  }

  /**
   * Follows task `id` until it ends. Resolves with the final update (SUCCESS, FAILURE or REVOKED:
   * a failed task is still a fulfilled follow); rejects with a `TaskSubscriptionError` when the
   * server refuses or loses the subscription. Subscribes once the socket is connected.
   */
  follow<R = unknown>(id: string, options: FollowOptions<R> = {}): Promise<TaskUpdate<R>> {
    if (this.#closed) return Promise.reject(new TaskSubscriptionError('CLOSED', String(id), 'this TaskSubscriber is closed'));
    if (typeof id !== 'string') return Promise.reject(new TaskSubscriptionError('INVALID_ID', String(id), `a task id is a string, got ${typeof id}`));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<TaskUpdate<R>>((resolve, reject) => {
      let task = this.#tasks.get(id);
      const isNew = task === undefined;
      task ??= new TrackedTask(id);
      this.#tasks.set(id, task);
      const onAbort = () => this.#drop(task, watcher, signal?.reason);
      const watcher: Watcher = {
        onUpdate: options.onUpdate as ((update: TaskUpdate) => void) | undefined,
        resolve: resolve as (update: TaskUpdate) => void,
        reject,
        dispose: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      task.watchers.add(watcher);
      if (isNew) this.#subscribe([id]);
      else if (task.latest !== undefined) this.#notify(task, watcher, task.latest);
    });
  }

  /** Unsubscribes from everything, rejects pending follows with code `CLOSED`, and leaves the socket alone. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const socket = this.#socket;
    socket.off('task:update', this.#onUpdate);
    socket.off('task:error', this.#onError);
    socket.off('connect', this.#onConnect);
    socket.off('connect_error', this.#onConnectError);
    const ids = this.following;
    if (ids.length > 0 && socket.connected) socket.emit('unsubscribe', ids);
    for (const id of ids) this.#fail(id, 'CLOSED', 'this TaskSubscriber was closed', false);
  }

  readonly #onUpdate = (update: TaskUpdate): void => {
    const task = this.#tasks.get(update.id);
    if (task === undefined || !task.accept(update)) return;
    for (const watcher of [...task.watchers]) this.#notify(task, watcher, update);
    // A callback may have dropped this task, or even followed it anew: remove only this one.
    if (isTerminalState(update.state) && this.#tasks.get(task.id) === task) this.#tasks.delete(task.id);
  };

  readonly #onError = ({ id, error }: { id: string; error: { code: TaskSubscriptionErrorCode; message: string } }): void => {
    this.#fail(id, error.code, error.message, false);
  };

  // Every (re)connection: the server forgot this socket's rooms, and updates may have been missed.
  readonly #onConnect = (): void => {
    this.#subscribe(this.following);
  };

  readonly #onConnectError = (error: Error): void => {
    // An active socket retries by itself; an inactive one was refused by the server's middleware.
    if (this.#socket.active) return;
    for (const id of this.following) this.#fail(id, 'CONNECTION_REFUSED', `the server refused the connection: ${error.message}`, false);
  };

  #subscribe(ids: string[]): void {
    // While disconnected, `connect` will subscribe: emitting now would only queue a duplicate.
    if (ids.length === 0 || !this.#socket.connected) return;
    const request = {};
    for (const id of ids) (this.#tasks.get(id) as TrackedTask).request = request;
    this.#socket
      .timeout(this.options.ackTimeout)
      .emitWithAck('subscribe', ids)
      .then(
        (outcomes) => this.#onAck(ids, request, outcomes),
        () => {
          // A disconnect also lands here; the next `connect` subscribes again under a new request.
          if (!this.#socket.connected) return;
          for (const id of ids) {
            if (this.#tasks.get(id)?.request === request) {
              this.#fail(id, 'TIMEOUT', `the server did not acknowledge the subscription within ${this.options.ackTimeout} ms`, true);
            }
          }
        },
      );
  }

  #onAck(ids: string[], request: object, outcomes: SubscribeOutcome[]): void {
    // Outcomes come one per id, in order: match by position (an invalid id is echoed shortened).
    ids.forEach((id, i) => {
      const task = this.#tasks.get(id);
      if (task === undefined) return;
      if (task.request === request) task.request = undefined;
      const outcome = outcomes[i];
      if (outcome === undefined) this.#fail(id, 'UNAVAILABLE', 'the server sent no outcome for this id', true);
      else if (outcome.ok) this.#onUpdate(outcome.update);
      else this.#fail(id, outcome.error.code, outcome.error.message, false);
    });
  }

  #notify(task: TrackedTask, watcher: Watcher, update: TaskUpdate): void {
    try {
      watcher.onUpdate?.(update);
    } catch (error) {
      // A throwing callback ends its own follow, not the others'.
      this.#drop(task, watcher, error);
      return;
    }
    if (isTerminalState(update.state)) {
      task.watchers.delete(watcher);
      watcher.dispose();
      watcher.resolve(update);
    }
  }

  /** Rejects one watcher; the last one out unsubscribes. */
  #drop(task: TrackedTask, watcher: Watcher, reason: unknown): void {
    if (!task.watchers.delete(watcher)) return;
    watcher.dispose();
    watcher.reject(reason);
    if (task.watchers.size === 0 && this.#tasks.get(task.id) === task) {
      this.#tasks.delete(task.id);
      if (this.#socket.connected) this.#socket.emit('unsubscribe', [task.id]);
    }
  }

  #fail(id: string, code: TaskSubscriptionErrorCode, message: string, unsubscribe: boolean): void {
    const task = this.#tasks.get(id);
    if (task === undefined) return;
    this.#tasks.delete(id);
    // After a timeout the server may have subscribed after all: tell it to stop.
    if (unsubscribe && this.#socket.connected) this.#socket.emit('unsubscribe', [id]);
    const error = new TaskSubscriptionError(code, id, message);
    for (const watcher of task.watchers) {
      watcher.dispose();
      watcher.reject(error);
    }
    task.watchers.clear();
  }
}
