import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Celeriac } from '@celeriac/core';
import { Server } from 'socket.io';
import { type ManagerOptions, type SocketOptions, io as connectTo } from 'socket.io-client';
import type { TaskSocket } from '../../src/client/index.js';
import { type TaskChannelOptions, createTaskChannel } from '../../src/index.js';

/** A real HTTP server with Socket.IO and the task channel on an ephemeral loopback port. */
export async function startChannelServer(app: Celeriac, options?: TaskChannelOptions) {
  const http = createServer();
  const io = new Server(http);
  const channel = createTaskChannel(io, app, options);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const sockets: TaskSocket[] = [];
  return {
    io,
    channel,
    url,
    /** A client socket that does not reconnect on its own (tests reconnect it explicitly), connected. */
    async connect(opts: Partial<ManagerOptions & SocketOptions> = {}): Promise<TaskSocket> {
      const socket: TaskSocket = connectTo(`${url}${channel.options.namespace === '/' ? '' : channel.options.namespace}`, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
        ...opts,
      });
      sockets.push(socket);
      if (opts.autoConnect !== false) await connected(socket);
      return socket;
    },
    /** The server side of a client socket. */
    serverSocket(client: TaskSocket) {
      const socket = channel.namespace.sockets.get(client.id ?? '');
      if (socket === undefined) throw new Error(`no server socket for ${client.id}`);
      return socket;
    },
    async close(): Promise<void> {
      for (const socket of sockets) socket.disconnect();
      await channel.close();
      await io.close();
    },
  };
}

export type ChannelServer = Awaited<ReturnType<typeof startChannelServer>>;

export function connected(socket: TaskSocket): Promise<void> {
  if (socket.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
}
