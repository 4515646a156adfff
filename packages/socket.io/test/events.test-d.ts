import type { Server } from 'socket.io';
import type { Socket } from 'socket.io-client';
import { describe, expectTypeOf, it } from 'vitest';
import type * as Client from '../src/client/index.js';
import { type TaskSocket, followTask } from '../src/client/index.js';
import type * as ServerSide from '../src/index.js';
import { createTaskChannel } from '../src/index.js';

describe('event maps', () => {
  it('are the same types from both entry points', () => {
    expectTypeOf<Client.ServerToClientEvents>().toEqualTypeOf<ServerSide.ServerToClientEvents>();
    expectTypeOf<Client.ClientToServerEvents>().toEqualTypeOf<ServerSide.ClientToServerEvents>();
    expectTypeOf<Client.TaskUpdate>().toEqualTypeOf<ServerSide.TaskUpdate>();
  });

  it('type the client socket', () => {
    expectTypeOf<TaskSocket>().toEqualTypeOf<Socket<ServerSide.ServerToClientEvents, ServerSide.ClientToServerEvents>>();
    const socket = {} as TaskSocket;
    expectTypeOf(socket.emitWithAck('subscribe', ['a', 'b'])).resolves.toEqualTypeOf<ServerSide.SubscribeOutcome[]>();
    // @ts-expect-error ids are strings
    void socket.emit('subscribe', 42, () => {});
  });

  it('accept any typed server and carry its socket data to authorize', () => {
    interface AppEvents {
      chat: (text: string) => void;
    }
    const io = {} as Server<AppEvents, AppEvents, Record<string, never>, { userId: string }>;
    createTaskChannel(io, {} as never, {
      authorize: (socket) => {
        expectTypeOf(socket.data.userId).toEqualTypeOf<string>();
        return true;
      },
    });
  });

  it('type the final update of a follow with the result type', () => {
    expectTypeOf(followTask<number>).returns.resolves.toEqualTypeOf<Client.TaskUpdate<number>>();
  });
});
