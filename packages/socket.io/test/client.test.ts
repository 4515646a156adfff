import { TERMINAL_STATES } from '@celeriac/core';
import { io as connectTo } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_TASK_SUBSCRIBER_OPTIONS,
  type TaskSocket,
  TaskSubscriber,
  TaskSubscriptionError,
  type TaskUpdate,
  followTask,
  isTerminalState,
} from '../src/client/index.js';
import { type ChannelServer, connected, startChannelServer } from './support/channel-server.js';
import { Recorder, currentOf } from './support/recorder.js';
import { type TestApp, startTestApp, waitForRecord } from './support/test-app.js';

let t: TestApp;
let server: ChannelServer;

beforeEach(async () => {
  t = await startTestApp();
  server = await startChannelServer(t.app, { authorize: (_socket, taskId) => !taskId.startsWith('secret-') });
});

afterEach(async () => {
  await server.close();
  await t.close();
});

/** Every update the helper applied must be newer than the one before. */
function expectIncreasingSeqs(updates: TaskUpdate[]): void {
  const seqs = updates.map((u) => u.seq);
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1] as number);
}

describe('followTask', () => {
  it('resolves with the final update once the task ends, after every progress step', async () => {
    const id = await t.startLong(3);
    const socket = await server.connect();
    const applied = new Recorder<TaskUpdate>();
    const done = followTask<number>(socket, id, { onUpdate: applied.push });
    await applied.until((u) => u.state === 'STARTED');
    t.gate.openAll(id);

    const final = await done;
    expect(final).toEqual({ id, state: 'SUCCESS', info: 42, seq: expect.any(Number) });
    expect(applied.values.map((u) => u.state)).toEqual(['STARTED', 'PROGRESS', 'PROGRESS', 'PROGRESS', 'SUCCESS']);
    expect(applied.values.map(currentOf)).toEqual([undefined, 1, 2, 3, undefined]);
    expectIncreasingSeqs(applied.values);
  });

  it('resolves at once for a finished task, with a FAILURE as a fulfilled follow', async () => {
    const failed = await t.tasks.boom.delay('broken');
    await waitForRecord(t.app, failed.id, (r) => r.state === 'FAILURE');
    const socket = await server.connect();
    await expect(followTask(socket, failed.id)).resolves.toMatchObject({ state: 'FAILURE', info: { type: 'TypeError', message: 'broken' } });
  });

  it('rejects with the server’s per-id error', async () => {
    const socket = await server.connect();
    const unknown = followTask(socket, 'never-enqueued');
    await expect(unknown).rejects.toBeInstanceOf(TaskSubscriptionError);
    await expect(unknown).rejects.toMatchObject({ code: 'UNKNOWN_TASK', taskId: 'never-enqueued', message: expect.stringContaining('never enqueued') });
    await expect(followTask(socket, 'secret-1')).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(followTask(socket, 'no spaces allowed')).rejects.toMatchObject({ code: 'INVALID_ID' });
  });

  it('lets several follows of one task on one socket share a subscription', async () => {
    const id = await t.startLong(1);
    const socket = await server.connect();
    const first = followTask(socket, id);
    const second = followTask(socket, id);
    t.gate.openAll(id);
    const [a, b] = await Promise.all([first, second]);
    expect(a).toEqual(b);
    expect(a.state).toBe('SUCCESS');
  });
});

describe('TaskSubscriber', () => {
  it('resyncs after a reconnect, applying the acknowledged state and never a stale one', async () => {
    const id = await t.startLong(4);
    const socket = await server.connect(); // reconnection: false, so the test decides when it comes back
    const subscriber = new TaskSubscriber(socket);
    const applied = new Recorder<TaskUpdate>();
    const done = subscriber.follow(id, { onUpdate: applied.push });
    await applied.until((u) => u.state === 'STARTED');
    t.gate.open(id);
    const first = await applied.until((u) => currentOf(u) === 1);

    const serverSide = server.serverSocket(socket);
    const serverNoticed = new Promise((resolve) => serverSide.once('disconnect', resolve));
    const clientNoticed = new Promise((resolve) => socket.once('disconnect', resolve));
    socket.io.engine.close();
    await Promise.all([serverNoticed, clientNoticed]);

    // Progress while nobody is connected: these events reach no one.
    t.gate.open(id, 2);
    const missed = await waitForRecord(t.app, id, (r) => r.meta?.current === 3);
    expect(applied.values.map(currentOf)).not.toContain(3);

    socket.connect();
    const resynced = await applied.until((u) => currentOf(u) === 3);
    expect(resynced.seq).toBe(missed.seq);
    expect(applied.values.map(currentOf)).not.toContain(2); // skipped straight to the stored truth

    // An old update arriving late (a slow server, an old connection) must not move the state back.
    server.channel.namespace.emit('task:update', { ...first, seq: resynced.seq - 1, info: { current: 2, total: 4 } });
    server.channel.namespace.emit('task:update', first);
    await socket.emitWithAck('unsubscribe', []); // a round trip: both stale updates have arrived
    expect(subscriber.latest(id)).toEqual(resynced);

    t.gate.openAll(id);
    const final = await done;
    expect(final).toMatchObject({ id, state: 'SUCCESS', info: 42 });
    expect(applied.values.map(currentOf)).toEqual([undefined, 1, 3, 4, undefined]);
    expectIncreasingSeqs(applied.values);
    expect(subscriber.following).toEqual([]);
  });

  it('subscribes once the socket connects when following before it is connected', async () => {
    const id = await t.startLong(1);
    const socket = await server.connect({ autoConnect: false });
    const subscriber = new TaskSubscriber(socket);
    const applied = new Recorder<TaskUpdate>();
    const done = subscriber.follow(id, { onUpdate: applied.push });
    socket.connect();
    await applied.until((u) => u.state === 'STARTED');
    t.gate.openAll(id);
    await expect(done).resolves.toMatchObject({ state: 'SUCCESS' });
  });

  it('stops following on abort, and the server stops too', async () => {
    const id = await t.startLong(2);
    const socket = await server.connect();
    const subscriber = new TaskSubscriber(socket);
    const controller = new AbortController();
    const applied = new Recorder<TaskUpdate>();
    const done = subscriber.follow(id, { onUpdate: applied.push, signal: controller.signal });
    await applied.until((u) => u.state === 'STARTED');
    expect(server.channel.followedTaskCount).toBe(1);

    controller.abort(new Error('user left the page'));
    await expect(done).rejects.toThrow('user left the page');
    await socket.emitWithAck('unsubscribe', []); // the helper's unsubscribe was handled before this
    expect(server.channel.followedTaskCount).toBe(0);
    expect(server.serverSocket(socket).rooms.has(`task:${id}`)).toBe(false);
    expect(subscriber.following).toEqual([]);
  });

  it('rejects pending follows on close, and follows nothing after', async () => {
    const id = await t.startLong(1);
    const socket = await server.connect();
    const subscriber = new TaskSubscriber(socket);
    const done = subscriber.follow(id);
    subscriber.close();
    await expect(done).rejects.toMatchObject({ code: 'CLOSED', taskId: id });
    await expect(subscriber.follow(id)).rejects.toMatchObject({ code: 'CLOSED' });
    expect(socket.listeners('task:update')).toEqual([]);
  });

  it('rejects when the server refuses the connection', async () => {
    server.channel.namespace.use((_socket, next) => next(new Error('no entry')));
    const socket = await server.connect({ autoConnect: false });
    const done = new TaskSubscriber(socket).follow('any-id');
    socket.connect();
    await expect(done).rejects.toMatchObject({ code: 'CONNECTION_REFUSED', message: expect.stringContaining('no entry') });
  });

  it('rejects with TIMEOUT when no channel answers', async () => {
    server.io.of('/nothing-here'); // a namespace without a task channel
    const socket: TaskSocket = connectTo(`${server.url}/nothing-here`, { transports: ['websocket'], forceNew: true, reconnection: false });
    try {
      await connected(socket);
      const done = new TaskSubscriber(socket, { ackTimeout: 100 }).follow('some-task');
      await expect(done).rejects.toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('100 ms') });
    } finally {
      socket.disconnect();
    }
  });

  it('checks its options eagerly', async () => {
    const socket = await server.connect({ autoConnect: false });
    expect(() => new TaskSubscriber(socket, { ackTimeout: 0 })).toThrow(/new TaskSubscriber\(\): option "ackTimeout" must be a positive number/);
    expect(() => new TaskSubscriber(socket, { timeout: 5 } as never)).toThrow(/option "timeout" is not a known option/);
    expect(DEFAULT_TASK_SUBSCRIBER_OPTIONS.ackTimeout).toBe(10_000);
  });

  it('knows the same terminal states as core', () => {
    for (const state of ['PENDING', 'RECEIVED', 'STARTED', 'RETRY', 'PROGRESS', 'SUCCESS', 'FAILURE', 'REVOKED']) {
      expect(isTerminalState(state), state).toBe(TERMINAL_STATES.has(state));
    }
  });
});
