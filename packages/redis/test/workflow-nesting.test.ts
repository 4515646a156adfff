import { chain, chord, group } from '@celeriac/core';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisApp } from './helpers/apps.js';
import { eachPartition } from './helpers/partitions.js';
import { type TestRedis, deleteKeys, uniquePrefix, useCleanups, useRedisServer } from './helpers/redis.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});
const cleanups = useCleanups();

/** A producer and a worker process-alike on one prefix (two stores: messages cross Redis), of `partitions`. */
async function nodes(partitions: number) {
  const prefix = uniquePrefix('nest');
  const producer = redisApp({ connection: server.url, prefix, partitions });
  const worker = redisApp({ connection: server.url, prefix, partitions });
  cleanups.push(async () => {
    await worker.close();
    await producer.close();
    await eachPartition(prefix, partitions, (p) => deleteKeys(admin, p));
  });
  const register = (app: typeof producer.app) => ({
    num: app.task({ name: 'nest.num' }, (n: number) => n),
    add: app.task({ name: 'nest.add' }, (previous: number, n: number) => previous + n),
    sum: app.task({ name: 'nest.sum' }, (values: number[]) => values.reduce((a, b) => a + b, 0)),
  });
  register(worker.app);
  await worker.app.worker({ concurrency: 8, pollInterval: 50 }).start();
  return { app: producer.app, t: register(producer.app) };
}

// With partitions, a workflow's steps, group counts and chord callback are spread over them.
describe.each([1, 3])('nested workflows on Redis, %i partition(s)', (partitions) => {
  it('group of chains, restored by id', { timeout: 20_000 }, async () => {
    const { app, t } = await nodes(partitions);
    const g = await group(chain(t.num.s(1)).then(t.add.partial(10)), t.num.s(5)).applyAsync();
    expect(await g.wait({ timeout: 10_000 })).toEqual([11, 5]);
    expect(await (await app.groupResult<[number, number]>(g.id))?.wait({ timeout: 1_000 })).toEqual([11, 5]);
  });

  it('chain of groups', { timeout: 20_000 }, async () => {
    const { t } = await nodes(partitions);
    const result = await chain(t.num.s(2)).then(group(t.add.partial(1), t.add.partial(10))).then(t.sum.partial()).then(group(t.add.partial(1), t.add.partial(2))).then(t.sum.partial()).applyAsync();
    expect(await result.get({ timeout: 10_000 })).toBe(33);
  });

  it('chord of chains', { timeout: 20_000 }, async () => {
    const { t } = await nodes(partitions);
    const result = await chord(group(chain(t.num.s(1)).then(t.add.partial(1)), chain(t.num.s(2)).then(t.add.partial(2)).then(t.add.partial(2))), t.sum.partial()).applyAsync();
    expect(await result.get({ timeout: 10_000 })).toBe(8);
  });

  it('chord inside a chain', { timeout: 20_000 }, async () => {
    const { t } = await nodes(partitions);
    const result = await chain(t.num.s(5)).then(chord(group(t.add.partial(1), t.add.partial(2)), t.sum.partial())).then(t.add.partial(1000)).applyAsync();
    expect(await result.get({ timeout: 10_000 })).toBe(1013);
  });
});
