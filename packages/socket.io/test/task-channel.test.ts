import { Celeriac, InvalidOptionError, type TaskStore } from '@celeriac/core';
import { Server } from 'socket.io';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { followTask } from '../src/client/index.js';
import { DEFAULT_TASK_CHANNEL_OPTIONS, type SubscribeOutcome, type TaskUpdate, createTaskChannel } from '../src/index.js';
import { type ChannelServer, startChannelServer } from './support/channel-server.js';
import { Recorder, currentOf, isFinal } from './support/recorder.js';
import { type TestApp, recordingLogger, startTestApp, waitForRecord } from './support/test-app.js';

let t: TestApp;
let server: ChannelServer;

beforeEach(async () => {
  t = await startTestApp();
  server = await startChannelServer(t.app, {
    // Lets tests exercise refusal: "secret-" ids need the handshake's user to be "admin".
    authorize: (socket, taskId) => {
      if (taskId === 'explode') throw new Error('auth service down');
      const auth = socket.handshake.auth as { user?: string };
      return !taskId.startsWith('secret-') || auth.user === 'admin';
    },
  });
});

afterEach(async () => {
  await server.close();
  await t.close();
});

function recordUpdates(socket: { on(event: 'task:update', listener: (u: TaskUpdate) => void): unknown }): Recorder<TaskUpdate> {
  const recorder = new Recorder<TaskUpdate>();
  socket.on('task:update', recorder.push);
  return recorder;
}

const okUpdate = (outcome: SubscribeOutcome | undefined): TaskUpdate => {
  if (outcome?.ok !== true) throw new Error(`expected a successful subscription, got ${JSON.stringify(outcome)}`);
  return outcome.update;
};

describe('createTaskChannel', () => {
  it('pushes every change in order, progress included, through SUCCESS', async () => {
    const id = await t.startLong(5);
    const socket = await server.connect();
    const updates = recordUpdates(socket);

    const [outcome] = await socket.emitWithAck('subscribe', id);
    const ack = okUpdate(outcome);
    expect(ack).toMatchObject({ id, state: 'STARTED', info: null });

    t.gate.openAll(id);
    const final = await updates.until(isFinal);

    expect(final).toEqual({ id, state: 'SUCCESS', info: 42, seq: expect.any(Number) });
    const seqs = updates.values.map((u) => u.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs[0]).toBeGreaterThanOrEqual(ack.seq);
    const progress = updates.values.filter((u) => u.state === 'PROGRESS');
    expect(progress.map((u) => u.info)).toEqual([1, 2, 3, 4, 5].map((current) => ({ current, total: 5, status: `step ${current} of 5` })));
    expect(final.seq).toBe((await t.app.result(id).refresh()).record?.seq);
    // The task ended: the socket left its room and the process stopped following it.
    expect(server.serverSocket(socket).rooms.has(`task:${id}`)).toBe(false);
    expect(server.channel.followedTaskCount).toBe(0);
  });

  it('gives a late subscriber the current state in the acknowledgement, then what follows', async () => {
    const id = await t.startLong(3);
    t.gate.open(id, 2);
    const stored = await waitForRecord(t.app, id, (r) => r.meta?.current === 2);

    const socket = await server.connect();
    const updates = recordUpdates(socket);
    const [outcome] = await socket.emitWithAck('subscribe', [id]);
    expect(okUpdate(outcome)).toEqual({ id, state: 'PROGRESS', info: { current: 2, total: 3, status: 'step 2 of 3' }, seq: stored.seq });

    t.gate.openAll(id);
    const final = await updates.until(isFinal);
    expect(final).toMatchObject({ state: 'SUCCESS', info: 42 });
    expect(updates.values.filter((u) => u.seq > stored.seq).map(currentOf)).toEqual([3, undefined]);
  });

  it("answers a finished task's subscription with its final state, and follows nothing", async () => {
    const id = await t.startLong(1);
    t.gate.openAll(id);
    const done = await waitForRecord(t.app, id, (r) => r.state === 'SUCCESS');

    const socket = await server.connect();
    const [outcome] = await socket.emitWithAck('subscribe', id);
    expect(outcome).toEqual({ id, ok: true, update: { id, state: 'SUCCESS', info: 42, seq: done.seq } });
    expect(server.serverSocket(socket).rooms.has(`task:${id}`)).toBe(false);
    expect(server.channel.followedTaskCount).toBe(0);
  });

  it("reports a failure's type and message, never its stack", async () => {
    const result = await t.tasks.boom.delay('no such user');
    const socket = await server.connect();
    const updates = recordUpdates(socket);
    const [outcome] = await socket.emitWithAck('subscribe', result.id);
    const ack = okUpdate(outcome);
    const final = isFinal(ack) ? ack : await updates.until(isFinal);
    expect(final).toMatchObject({ id: result.id, state: 'FAILURE', info: { type: 'TypeError', message: 'no such user' } });
    expect(Object.keys(final.info as object).sort()).toEqual(['message', 'type']);
  });

  it('refuses an unauthorized subscription and sends it nothing', async () => {
    const secret = await t.startLong(1);
    await t.tasks.long.applyAsync([1], { taskId: 'secret-1' });
    const guest = await server.connect({ auth: { user: 'guest' } });
    const admin = await server.connect({ auth: { user: 'admin' } });
    const guestUpdates = recordUpdates(guest);
    const adminUpdates = recordUpdates(admin);

    const refused = await guest.emitWithAck('subscribe', ['secret-1', 'secret-never-enqueued', 'explode']);
    expect(refused).toEqual([
      { id: 'secret-1', ok: false, error: { code: 'NOT_AUTHORIZED', message: 'not authorized to follow task "secret-1"' } },
      // Refused before the lookup: an unauthorized client cannot probe which ids exist.
      { id: 'secret-never-enqueued', ok: false, error: { code: 'NOT_AUTHORIZED', message: expect.any(String) } },
      { id: 'explode', ok: false, error: { code: 'NOT_AUTHORIZED', message: expect.any(String) } },
    ]);
    expect(t.logger.entries).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('authorize threw') }));
    expect(server.serverSocket(guest).rooms.has('task:secret-1')).toBe(false);

    okUpdate((await admin.emitWithAck('subscribe', 'secret-1'))[0]);
    okUpdate((await guest.emitWithAck('subscribe', secret))[0]); // a public task: allowed
    t.gate.openAll('secret-1');
    await adminUpdates.until((u) => u.id === 'secret-1' && isFinal(u));
    // A round trip after the end: anything sent to the guest before it has arrived by now.
    await guest.emitWithAck('unsubscribe', []);
    expect(guestUpdates.values.filter((u) => u.id === 'secret-1')).toEqual([]);
  });

  it('gives each invalid or unknown id its own clear error, and still subscribes the rest', async () => {
    const id = await t.startLong(1);
    const socket = await server.connect();
    const outcomes = await socket.emitWithAck('subscribe', ['not an id!', 'never-enqueued', id, '']);
    expect(outcomes).toEqual([
      { id: 'not an id!', ok: false, error: { code: 'INVALID_ID', message: expect.stringMatching(/"not an id!" is not a task id: expected 1-128 letters, digits/) } },
      { id: 'never-enqueued', ok: false, error: { code: 'UNKNOWN_TASK', message: 'no task with id "never-enqueued": it was never enqueued, or its result was forgotten' } },
      { id, ok: true, update: expect.objectContaining({ id, state: 'STARTED' }) },
      { id: '', ok: false, error: { code: 'INVALID_ID', message: expect.any(String) } },
    ]);
    expect([...server.serverSocket(socket).rooms].filter((r) => r.startsWith('task:'))).toEqual([`task:${id}`]);

    // Payloads that are not ids at all, as a hand-written client might send them.
    const raw = socket as unknown as { emitWithAck(event: string, payload: unknown): Promise<SubscribeOutcome[]> };
    expect(await raw.emitWithAck('subscribe', 42)).toEqual([{ id: '42', ok: false, error: { code: 'INVALID_ID', message: expect.stringContaining('got number 42') } }]);
    expect(await raw.emitWithAck('subscribe', { id })).toEqual([{ id: '[object Object]', ok: false, error: { code: 'INVALID_ID', message: expect.stringContaining('an object') } }]);
    expect(await socket.emitWithAck('subscribe', [])).toEqual([]);
  });

  it('stops sending updates after unsubscribe, and stops following once nobody listens', async () => {
    const id = await t.startLong(3);
    const [leaver, stayer] = [await server.connect(), await server.connect()];
    const leaverUpdates = recordUpdates(leaver);
    const stayerUpdates = recordUpdates(stayer);
    okUpdate((await leaver.emitWithAck('subscribe', id))[0]);
    okUpdate((await stayer.emitWithAck('subscribe', id))[0]);
    expect(server.channel.followedTaskCount).toBe(1); // one follower, however many subscribers

    t.gate.open(id);
    await leaverUpdates.until((u) => currentOf(u) === 1);
    await leaver.emitWithAck('unsubscribe', id);
    const seenBefore = leaverUpdates.values.length;

    t.gate.openAll(id);
    await stayerUpdates.until(isFinal);
    await leaver.emitWithAck('unsubscribe', []); // a round trip: anything sent before it has arrived
    expect(leaverUpdates.values.length).toBe(seenBefore);
    expect(stayerUpdates.values.filter((u) => u.state === 'PROGRESS').map(currentOf)).toEqual([1, 2, 3]);

    // With every subscriber gone, nothing is followed.
    const other = await t.startLong(1);
    okUpdate((await leaver.emitWithAck('subscribe', other))[0]);
    expect(server.channel.followedTaskCount).toBe(1);
    await leaver.emitWithAck('unsubscribe', [other]);
    expect(server.channel.followedTaskCount).toBe(0);
  });

  it('cleans up when a subscriber disconnects', async () => {
    const id = await t.startLong(1);
    const socket = await server.connect();
    okUpdate((await socket.emitWithAck('subscribe', id))[0]);
    expect(server.channel.followedTaskCount).toBe(1);
    const serverSide = server.serverSocket(socket);
    const gone = new Promise((resolve) => serverSide.once('disconnect', resolve));
    socket.disconnect();
    await gone;
    expect(server.channel.followedTaskCount).toBe(0);
    expect(server.channel.namespace.adapter.rooms.has(`task:${id}`)).toBe(false);
  });

  it('limits how many unfinished tasks one socket follows', async () => {
    await server.close();
    server = await startChannelServer(t.app, { maxSubscriptionsPerSocket: 2 });
    const [a, b, c] = [await t.startLong(1), await t.startLong(1), await t.startLong(1)];
    const socket = await server.connect();
    const outcomes = await socket.emitWithAck('subscribe', [a, a, b, c]);
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.code))).toEqual(['ok', 'ok', 'ok', 'TOO_MANY_SUBSCRIPTIONS']);
    // Re-subscribing to a followed task takes no new slot; a finished one frees its slot.
    expect((await socket.emitWithAck('subscribe', a))[0]?.ok).toBe(true);
    const updates = recordUpdates(socket);
    t.gate.openAll(a);
    // The server leaves the room as it sends the final update, so once that arrives the slot is free.
    await updates.until((u) => u.id === a && isFinal(u));
    expect((await socket.emitWithAck('subscribe', c))[0]?.ok).toBe(true);
  });

  it('on close, stops following, empties the rooms and ignores new subscriptions', async () => {
    const id = await t.startLong(1);
    const socket = await server.connect();
    okUpdate((await socket.emitWithAck('subscribe', id))[0]);
    const serverSide = server.serverSocket(socket);

    await server.channel.close();
    await server.channel.close(); // idempotent
    expect(server.channel.followedTaskCount).toBe(0);
    expect(serverSide.rooms.has(`task:${id}`)).toBe(false);
    expect(serverSide.listeners('subscribe')).toEqual([]);
    expect(server.channel.namespace.listeners('connection')).toEqual([]);
    expect(socket.connected).toBe(true); // the server and its sockets stay the app's
  });

  it('serves sockets that connected before it was created, on the namespace it is given', async () => {
    const io = server.io;
    const early = io.of('/tasks');
    const seen = new Promise((resolve) => early.once('connection', resolve));
    const { io: connectTo } = await import('socket.io-client');
    const socket = connectTo(`${server.url}/tasks`, { transports: ['websocket'], forceNew: true, reconnection: false });
    try {
      await seen;
      const channel = createTaskChannel(io, t.app, { namespace: '/tasks' });
      const id = await t.startLong(1);
      const [outcome] = (await socket.emitWithAck('subscribe', id)) as SubscribeOutcome[];
      expect(outcome).toMatchObject({ id, ok: true, update: { state: 'STARTED' } });
      await channel.close();
    } finally {
      socket.disconnect();
    }
  });

  it('acknowledges only once it follows the task, so nothing falls between the ack and the updates', async () => {
    // A backend whose live subscriptions take a while (as over a network), held until we say so.
    let subscribeCalled!: () => void;
    const called = new Promise<void>((resolve) => {
      subscribeCalled = resolve;
    });
    let letSubscribe!: () => void;
    const held = new Promise<void>((resolve) => {
      letSubscribe = resolve;
    });
    const real = t.store;
    const store = new Proxy(real, {
      get: (target, key) => {
        if (key === 'subscribe') {
          return async (...args: Parameters<TaskStore['subscribe']>) => {
            subscribeCalled();
            await held;
            return real.subscribe(...args);
          };
        }
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? value.bind(target) : value; // private fields need the real `this`
      },
    });
    const slow = new Celeriac({ store, logger: recordingLogger() });
    const slowServer = await startChannelServer(slow);
    try {
      const id = await t.startLong(4);
      const socket = await slowServer.connect();
      const updates = recordUpdates(socket);
      const ack = socket.emitWithAck('subscribe', id);
      await called;
      // Two changes while the follower is still subscribing: no event will ever carry them.
      t.gate.open(id, 2);
      await waitForRecord(t.app, id, (r) => r.meta?.current === 2);
      letSubscribe();

      const acked = okUpdate((await ack)[0]);
      t.gate.openAll(id);
      const final = await updates.until(isFinal);
      // seq grows by exactly one per change: the ack and the updates after it leave no gap.
      const seqs = [acked.seq, ...updates.values.map((u) => u.seq).filter((seq) => seq > acked.seq)];
      expect(seqs).toEqual(Array.from({ length: final.seq - acked.seq + 1 }, (_, i) => acked.seq + i));
      expect(currentOf(acked)).toBe(2);
    } finally {
      await slowServer.close();
      await slow.close();
    }
  });

  it('tells subscribers when it loses track of a task, and stops following it', async () => {
    // A store whose live subscriptions fail (a dropped connection), while reads still work.
    const store = new Proxy(t.store, {
      get: (target, key) => {
        if (key === 'subscribe') return () => Promise.reject(new Error('connection lost'));
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? value.bind(target) : value; // private fields need the real `this`
      },
    });
    const logger = recordingLogger();
    const broken = new Celeriac({ store, logger });
    const brokenServer = await startChannelServer(broken);
    try {
      const id = await t.startLong(1);
      const socket = await brokenServer.connect();
      const failure = new Promise((resolve) => socket.once('task:error', resolve));
      const done = followTask(socket, id);
      await expect(done).rejects.toMatchObject({ code: 'UNAVAILABLE', taskId: id, message: expect.stringContaining('lost track') });
      await expect(failure).resolves.toEqual({ id, error: { code: 'UNAVAILABLE', message: expect.any(String) } });
      expect(brokenServer.channel.followedTaskCount).toBe(0);
      expect(brokenServer.serverSocket(socket).rooms.has(`task:${id}`)).toBe(false);
      expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'error', fields: expect.objectContaining({ taskId: id, error: 'Error: connection lost' }) }));
    } finally {
      await brokenServer.close();
      await broken.close();
    }
  });

  it('checks its options eagerly, naming the option', () => {
    const io = new Server(); // never attached: nothing to close
    const make = (options: unknown) => () => createTaskChannel(io, t.app, options as Parameters<typeof createTaskChannel>[2]);
    expect(make({ namespace: 'celeriac' })).toThrow(InvalidOptionError);
    expect(make({ namespace: 'celeriac' })).toThrow(/createTaskChannel\(\): option "namespace" must be a string starting with "\/"/);
    expect(make({ authorize: true })).toThrow(/option "authorize" must be a function/);
    expect(make({ maxSubscriptionsPerSocket: 0 })).toThrow(/option "maxSubscriptionsPerSocket" must be a positive integer, got 0/);
    expect(make({ maxSubscriptionsPerSocket: 1.5 })).toThrow(/option "maxSubscriptionsPerSocket"/);
    expect(make({ authorise: () => true })).toThrow(/option "authorise" is not a known option/);
    expect(make(null)).not.toThrow(); // like undefined: every default
    expect(DEFAULT_TASK_CHANNEL_OPTIONS).toMatchObject({ namespace: '/celeriac', maxSubscriptionsPerSocket: 100 });
  });
});
