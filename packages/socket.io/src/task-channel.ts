import type { Celeriac } from '@celeriac/core';
import type { DefaultEventsMap, Namespace, Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from './events.js';
import { FollowerPool } from './internal/follower-pool.js';
import { roomOf, taskIdOf } from './internal/rooms.js';
import { SocketSession } from './internal/socket-session.js';
import type { SubscribeEnv } from './internal/subscribe-one.js';
import { type ResolvedTaskChannelOptions, type TaskChannelOptions, type TaskChannelSocket, resolveTaskChannelOptions } from './task-channel-options.js';

/** The channel's namespace, typed with the channel's events. */
export type TaskChannelNamespace<SocketData = unknown> = Namespace<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, SocketData>;

/**
 * Pushes task updates to Socket.IO clients. Each task that has subscribers in this process is
 * followed once, through the result backend, and fanned out to the room `task:<id>`; emits are
 * local to this process, so several servers behind one Redis each serve their own sockets and need
 * no Socket.IO adapter between them.
 *
 * The server (`io`) stays yours: `close()` removes the channel's listeners and followers only.
 */
export class TaskChannel<SocketData = unknown> {
  readonly options: Readonly<ResolvedTaskChannelOptions<SocketData>>;
  readonly namespace: TaskChannelNamespace<SocketData>;
  readonly #pool: FollowerPool;
  readonly #sessions = new Map<string, SocketSession<SocketData>>();
  #closing: Promise<void> | undefined;

  /**
   * @param io any Socket.IO server (its own event maps do not matter: the channel types its namespace).
   * @param app the app whose result backend holds the tasks' states.
   */
  constructor(io: Server<never, never, never, SocketData>, app: Celeriac, options?: TaskChannelOptions<SocketData>) {
    this.options = Object.freeze(resolveTaskChannelOptions(options));
    // The channel's events live in its own namespace, whatever maps the app typed `io` with.
    this.namespace = io.of(this.options.namespace) as unknown as TaskChannelNamespace<SocketData>;
    const nsp = this.namespace;
    this.#pool = new FollowerPool(app, (taskId) => {
      const room = roomOf(taskId);
      return {
        update: (update) => nsp.local.to(room).emit('task:update', update),
        end: () => nsp.local.in(room).socketsLeave(room),
        fail: (error) => {
          app.logger.error('task channel: following a task failed; its subscribers were told', { taskId, error: String(error) });
          nsp.local.to(room).emit('task:error', { id: taskId, error: { code: 'UNAVAILABLE', message: `lost track of task "${taskId}": subscribe again later` } });
          nsp.local.in(room).socketsLeave(room);
        },
      };
    });
    const env: SubscribeEnv<SocketData> = {
      app,
      logger: app.logger,
      pool: this.#pool,
      maxSubscriptionsPerSocket: this.options.maxSubscriptionsPerSocket,
      authorize: this.options.authorize,
      isClosed: () => this.#closing !== undefined,
    };
    this.#attach = (socket) => {
      this.#sessions.set(socket.id, new SocketSession(env, socket));
      socket.once('disconnect', () => this.#sessions.delete(socket.id));
    };
    nsp.adapter.on('delete-room', this.#onDeleteRoom);
    nsp.on('connection', this.#attach);
    // Sockets that connected before the channel existed get it too.
    for (const socket of nsp.sockets.values()) this.#attach(socket);
  }

  /** How many tasks this process follows right now (one per task, however many subscribers). */
  get followedTaskCount(): number {
    return this.#pool.size;
  }

  /**
   * Stops the channel: no new subscriptions, no more updates, every socket leaves its task rooms,
   * followers end their backend subscriptions. Idempotent. The Socket.IO server is left running.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  readonly #attach: (socket: TaskChannelSocket<SocketData>) => void;

  // The last subscriber of a task left (unsubscribe, disconnect, task end): stop following it.
  readonly #onDeleteRoom = (room: unknown): void => {
    const taskId = taskIdOf(room);
    if (taskId !== undefined) this.#pool.stop(taskId);
  };

  async #close(): Promise<void> {
    const nsp = this.namespace;
    nsp.off('connection', this.#attach);
    for (const session of this.#sessions.values()) session.detach();
    this.#sessions.clear();
    for (const room of [...nsp.adapter.rooms.keys()]) {
      if (taskIdOf(room) !== undefined) nsp.local.in(room).socketsLeave(room);
    }
    nsp.adapter.off('delete-room', this.#onDeleteRoom);
    await this.#pool.stopAll();
  }
}

/** Installs the task channel on `io` (see {@link TaskChannel}). */
export function createTaskChannel<SocketData = unknown>(
  io: Server<never, never, never, SocketData>,
  app: Celeriac,
  options?: TaskChannelOptions<SocketData>,
): TaskChannel<SocketData> {
  return new TaskChannel(io, app, options);
}
