import { Celeriac } from '@celeriac/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TaskUpdate, followTask } from '../src/client/index.js';
import { type ChannelServer, startChannelServer } from './support/channel-server.js';
import { Recorder, currentOf } from './support/recorder.js';
import { type TestApp, recordingLogger, startTestApp } from './support/test-app.js';

// Two servers, each with its own app over the same store, stand in for two processes behind one
// Redis: no Socket.IO adapter joins them. (With @celeriac/redis, give each its own Redis client.)
let t: TestApp;
let other: Celeriac;
let servers: ChannelServer[];

beforeEach(async () => {
  t = await startTestApp();
  other = new Celeriac({ store: t.store, logger: recordingLogger() });
  servers = [await startChannelServer(t.app), await startChannelServer(other)];
});

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await other.close();
  await t.close();
});

describe('several servers over one result backend', () => {
  it('each delivers every update to its own subscribers, once', async () => {
    const id = await t.startLong(3);
    const [a, b] = [await servers[0]!.connect(), await servers[1]!.connect()];
    const seen = [new Recorder<TaskUpdate>(), new Recorder<TaskUpdate>()] as const;
    // Raw events too: a duplicate sent by the server would show here even though the helper drops it.
    const raw = [new Recorder<TaskUpdate>(), new Recorder<TaskUpdate>()] as const;
    a.on('task:update', raw[0].push);
    b.on('task:update', raw[1].push);
    const done = [followTask(a, id, { onUpdate: seen[0].push }), followTask(b, id, { onUpdate: seen[1].push })];
    await Promise.all(seen.map((r) => r.until((u) => u.state === 'STARTED')));
    expect(servers.map((s) => s.channel.followedTaskCount)).toEqual([1, 1]);

    t.gate.openAll(id);
    const finals = await Promise.all(done);
    expect(finals[0]).toMatchObject({ state: 'SUCCESS', info: 42 });
    expect(finals[1]).toEqual(finals[0]);
    for (const recorder of seen) expect(recorder.values.map(currentOf)).toEqual([undefined, 1, 2, 3, undefined]);
    for (const recorder of raw) {
      const seqs = recorder.values.map((u) => u.seq);
      expect(new Set(seqs).size).toBe(seqs.length);
    }
    expect(servers.map((s) => s.channel.followedTaskCount)).toEqual([0, 0]);
  });
});
