import { randomUUID } from 'node:crypto';
import { Celeriac } from '@celeriac/core';
import { type RedisStore, createRedisStore } from '@celeriac/redis';
import { redisForTests } from '@celeriac/test-support';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type TaskUpdate, followTask } from '../src/client/index.js';
import { type ChannelServer, startChannelServer } from './support/channel-server.js';
import { Recorder, currentOf } from './support/recorder.js';
import { type TestApp, recordingLogger, startTestApp } from './support/test-app.js';

// Two "processes" behind one Redis: each has its own Redis connections, app and Socket.IO server,
// and nothing else in common (no Socket.IO adapter). Process A also runs the worker.
let redis: Awaited<ReturnType<typeof redisForTests>>;
let prefix: string;
let stores: RedisStore[];
let worker: TestApp;
let channelOnly: Celeriac;
let servers: ChannelServer[];

beforeAll(async () => {
  redis = await redisForTests();
});

afterAll(async () => {
  await redis?.stop();
});

beforeEach(async () => {
  prefix = `sio-${randomUUID().slice(0, 8)}`;
  stores = [createRedisStore({ connection: redis.url, prefix }), createRedisStore({ connection: redis.url, prefix })];
  worker = await startTestApp(stores[0]);
  channelOnly = new Celeriac({ store: stores[1]!, logger: recordingLogger() });
  servers = [await startChannelServer(worker.app), await startChannelServer(channelOnly)];
});

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all([worker.close(), channelOnly.close()]);
  await Promise.all(stores.map((s) => s.close()));
  // Every key of a store lives under the `{prefix}` hash tag.
  const client = new Redis(redis.url);
  try {
    const keys = await client.keys(`{${prefix}}*`);
    if (keys.length > 0) await client.del(...keys);
  } finally {
    client.disconnect();
  }
});

describe('several server processes behind one Redis', () => {
  it('each delivers every update to its own subscribers, once, with no Socket.IO adapter', async () => {
    const id = await worker.startLong(3);
    const [a, b] = [await servers[0]!.connect(), await servers[1]!.connect()];
    const applied = [new Recorder<TaskUpdate>(), new Recorder<TaskUpdate>()] as const;
    const raw = [new Recorder<TaskUpdate>(), new Recorder<TaskUpdate>()] as const;
    a.on('task:update', raw[0].push);
    b.on('task:update', raw[1].push);
    const done = [followTask(a, id, { onUpdate: applied[0].push }), followTask(b, id, { onUpdate: applied[1].push })];
    await Promise.all(applied.map((r) => r.until((u) => u.state === 'STARTED')));
    expect(servers.map((s) => s.channel.followedTaskCount)).toEqual([1, 1]);

    worker.gate.openAll(id);
    const finals = await Promise.all(done);
    expect(finals[0]).toMatchObject({ id, state: 'SUCCESS', info: 42 });
    expect(finals[1]).toEqual(finals[0]);
    for (const recorder of applied) expect(recorder.values.map(currentOf)).toEqual([undefined, 1, 2, 3, undefined]);
    for (const recorder of raw) {
      const seqs = recorder.values.map((u) => u.seq);
      expect(new Set(seqs).size).toBe(seqs.length); // each server sent each change once
    }
    expect(servers.map((s) => s.channel.followedTaskCount)).toEqual([0, 0]);
  });

  it('gives a subscriber of the other process the current state of a task it never saw', async () => {
    const id = await worker.startLong(2);
    worker.gate.open(id);
    const socket = await servers[1]!.connect();
    const applied = new Recorder<TaskUpdate>();
    const done = followTask(socket, id, { onUpdate: applied.push });
    await applied.until((u) => currentOf(u) === 1);
    worker.gate.openAll(id);
    await expect(done).resolves.toMatchObject({ state: 'SUCCESS', info: 42 });
    expect(applied.values.map(currentOf).filter((c) => c !== undefined)).toEqual([1, 2]);
  });
});
