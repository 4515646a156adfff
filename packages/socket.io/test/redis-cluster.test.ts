import { randomUUID } from 'node:crypto';
import { Celeriac } from '@celeriac/core';
import { type RedisStore, createRedisStore } from '@celeriac/redis';
import { type RedisCluster, startRedisCluster } from '@celeriac/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TaskUpdate, followTask } from '../src/client/index.js';
import { type ChannelServer, startChannelServer } from './support/channel-server.js';
import { Recorder, currentOf } from './support/recorder.js';
import { type TestApp, recordingLogger, startTestApp } from './support/test-app.js';

// Socket.IO servers on a real Redis Cluster (3 masters, 3 replicas), one per node: each server's
// store knows the cluster by that node alone (its start-up node), and the worker runs in another
// "process" that knows only the first. Every server must deliver every update of a task it never
// ran, whichever node it came in through: its store hears the task's events as sharded messages on
// the shard that serves the deployment's slot.
let cluster: RedisCluster;
let prefix: string;
let stores: RedisStore[] = [];
let worker: TestApp;
let apps: Celeriac[] = [];
let servers: ChannelServer[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster();
  prefix = `siocl-${randomUUID().slice(0, 8)}`;
  const store = (node: { host: string; port: number }) => createRedisStore({ connection: { cluster: [{ host: node.host, port: node.port }] }, prefix });
  worker = await startTestApp(store(cluster.nodes[0]!));
  stores = cluster.nodes.map(store);
  apps = stores.map((s) => new Celeriac({ store: s, logger: recordingLogger() }));
  servers = await Promise.all(apps.map((app) => startChannelServer(app)));
}, 180_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all([worker?.close(), ...apps.map((app) => app.close())]);
  await Promise.all([worker?.store.close(), ...stores.map((s) => s.close())]);
  await cluster?.stop();
});

describe('Socket.IO servers on a Redis Cluster, one through each node', () => {
  it('each delivers every update of a task run elsewhere to its own subscribers, once', { timeout: 60_000 }, async () => {
    const id = await worker.startLong(3);
    const sockets = await Promise.all(servers.map((s) => s.connect()));
    const applied = sockets.map(() => new Recorder<TaskUpdate>());
    const raw = sockets.map(() => new Recorder<TaskUpdate>());
    sockets.forEach((socket, i) => socket.on('task:update', raw[i]!.push));
    const done = sockets.map((socket, i) => followTask(socket, id, { onUpdate: applied[i]!.push }));
    await Promise.all(applied.map((r) => r.until((u) => u.state === 'STARTED', 30_000)));

    // Step by step: each progress report reaches every server before the next one is let through.
    for (let step = 1; step <= 3; step++) {
      worker.gate.open(id);
      await Promise.all(applied.map((r) => r.until((u) => currentOf(u) === step, 30_000)));
    }
    worker.gate.openAll(id);
    const finals = await Promise.all(done);
    for (const final of finals) expect(final).toMatchObject({ id, state: 'SUCCESS', info: 42 });
    for (const recorder of applied) expect(recorder.values.map(currentOf)).toEqual([undefined, 1, 2, 3, undefined]);
    for (const recorder of raw) {
      const seqs = recorder.values.map((u) => u.seq);
      expect(new Set(seqs).size).toBe(seqs.length); // each server sent each change once
    }
  });
});
