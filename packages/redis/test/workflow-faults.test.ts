import { type WorkflowFailure, chain, chord, group } from '@celeriac/core';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisApp } from './helpers/apps.js';
import { type TestRedis, deleteKeys, uniquePrefix, until, useCleanups, useRedisServer } from './helpers/redis.js';
import { startWorkerProcess, stopWorkerProcess } from './helpers/worker-process.js';

let server: TestRedis;
let admin: Redis;
useRedisServer((started, connection) => {
  server = started;
  admin = connection;
});
const cleanups = useCleanups();

/** An app on a fresh prefix whose generated ids are recorded in order (a chain's links first, a chord's members last). */
function app(label: string, storeOptions: Record<string, number> = {}) {
  const prefix = uniquePrefix(label);
  const ids: string[] = [];
  const node = redisApp({ connection: server.url, prefix, ...storeOptions }, { generateId: () => ids[ids.push(`${label}-${ids.length + 1}`) - 1] as string });
  cleanups.push(async () => {
    await node.close();
    await deleteKeys(admin, prefix);
  });
  return { ...node, prefix, ids };
}

describe('chord callback exactly once on Redis, with a crash between "complete" and the callback', () => {
  it('a worker killed right after counting the chord complete: another worker starts the callback, once, round after round', { timeout: 60_000 }, async () => {
    const node = app('crash');
    const member = node.app.task({ name: 'chord.member' }, (n: number) => n * 2);
    const sum = node.app.task({ name: 'chord.sum' }, async (values: number[], round: number) => {
      await admin.hincrby(`{${node.prefix}}:test:callbacks`, String(round), 1);
      return values.reduce((a, b) => a + b, 0);
    });
    for (let round = 0; round < 3; round++) {
      const crashing = await startWorkerProcess({ url: server.url, prefix: node.prefix, name: `crash-${round}`, fixture: 'chordCrash' });
      cleanups.unshift(() => stopWorkerProcess(crashing));
      const fired = new Promise<void>((resolve) => crashing.child.on('message', (m) => m === 'fired' && resolve()));
      const result = await chord(group(...[1, 2, 3, 4, 5].map((n) => member.s(n))), sum.partial(round)).applyAsync();
      await fired;
      expect(await crashing.exited).toMatchObject({ signal: 'SIGKILL' });
      expect((await result.refresh()).state).toBe('PENDING'); // the crash came before the callback was published
      // A healthy worker: the last member's lease runs out, it is delivered again, its STARTED is
      // refused (it succeeded), its follow-ups run again and start the callback.
      const worker = node.app.worker({ concurrency: 4, pollInterval: 100 });
      await worker.start();
      expect(await result.get({ timeout: 15_000 })).toBe(30);
      await worker.close();
    }
    expect(await admin.hgetall(`{${node.prefix}}:test:callbacks`)).toEqual({ 0: '1', 1: '1', 2: '1' });
  });
});

describe('revoking a waiting member ends its workflow on Redis', () => {
  it('a revoked chain head fails the rest of the chain (ChainFailedError naming it) and runs the error callback', { timeout: 20_000 }, async () => {
    const node = app('rvchain');
    const step = node.app.task({ name: 'wf.step' }, (n: number) => n);
    const plus = node.app.task({ name: 'wf.plus' }, (a: number, b: number) => a + b);
    const alerts: string[] = [];
    const alert = node.app.task({ name: 'wf.alert' }, (failure: WorkflowFailure) => void alerts.push(failure.taskId));
    const last = await chain(step.s(1)).then(plus.partial(2)).then(plus.partial(3)).onError(alert.partial()).applyAsync();
    const head = node.ids[0] as string;
    expect(await node.app.revoke(head)).toBe('revoked');
    await node.app.worker({ pollInterval: 50 }).start();
    await expect(last.get({ timeout: 5_000 })).rejects.toThrow(new RegExp(`step wf.step \\(${head}\\) failed: TaskRevokedError`));
    expect((await last.refresh()).record).toMatchObject({ state: 'FAILURE', error: { type: 'ChainFailedError' } });
    await until(() => alerts.length > 0, 5_000, 'the error callback');
    expect(alerts).toEqual([head]);
  });

  it('a revoked chord member fails the callback with ChordFailedError naming it', { timeout: 20_000 }, async () => {
    const node = app('rvchord');
    const member = node.app.task({ name: 'wf.member' }, (n: number) => n);
    const total = node.app.task({ name: 'wf.total' }, (values: number[]) => values.length);
    const callback = await chord(group(member.s(1), member.s(2), member.s(3)), total.partial()).applyAsync();
    const revoked = node.ids.at(-2) as string;
    expect(await node.app.revoke(revoked)).toBe('revoked');
    await node.app.worker({ pollInterval: 50 }).start();
    await expect(callback.get({ timeout: 5_000 })).rejects.toThrow(new RegExp(`chord member ${revoked} did not succeed: REVOKED`));
    expect((await callback.refresh()).record).toMatchObject({ state: 'FAILURE', error: { type: 'ChordFailedError' } });
  });
});

describe('dead letters on Redis', () => {
  it('a letter dead-lettered at its delivery limit, requeued, runs to SUCCESS as attempt 2', { timeout: 20_000 }, async () => {
    const node = app('dlq');
    let runs = 0;
    const crashy = node.app.task({ name: 'dlq.crashy' }, (tag: string) => {
      runs++;
      return `ran ${tag}`;
    });
    let inflate = true; // the first delivery looks as if it had killed three workers already
    const reserve = node.store.reserve.bind(node.store);
    node.store.reserve = async (request) => (await reserve(request)).map((d) => (inflate ? { ...d, deliveries: d.deliveries + 3 } : d));
    await node.app.worker({ maxDeliveries: 3, pollInterval: 50 }).start();
    const result = await crashy.delay('x');
    await expect(result.get({ timeout: 5_000 })).rejects.toThrow(/delivered 4 times/);
    await until(async () => (await node.app.deadLetters.list()).letters.length === 1, 5_000, 'the dead letter');
    inflate = false;
    expect(await node.app.deadLetters.requeue(result.id)).toBe(true);
    expect(await node.app.result(result.id).get({ timeout: 5_000 })).toBe('ran x');
    expect(runs).toBe(1);
    expect((await result.refresh()).record).toMatchObject({ state: 'SUCCESS', attempt: 2, seq: 6 });
    expect((await node.app.deadLetters.list()).letters).toEqual([]);
  });

  it('opt-in: a task failing its last attempt is dead-lettered with its error, and requeueAll runs it again', { timeout: 20_000 }, async () => {
    const node = app('dlqfail');
    let calls = 0;
    const flaky = node.app.task({ name: 'dlq.flaky', deadLetter: true }, () => {
      if (++calls === 1) throw new RangeError('first call fails');
      return 'second call works';
    });
    await node.app.worker({ pollInterval: 50 }).start();
    const result = await flaky.delay();
    await expect(result.get({ timeout: 5_000 })).rejects.toThrow(/first call fails/);
    await until(async () => (await node.app.deadLetters.get(result.id)) !== null, 5_000, 'the dead letter');
    expect((await node.app.deadLetters.get(result.id))?.reason).toMatch(/failed on attempt 1: RangeError: first call fails/);
    expect(await node.app.deadLetters.requeueAll()).toBe(1);
    expect(await node.app.result(result.id).get({ timeout: 5_000 })).toBe('second call works');
  });

  it('is bounded by age', { timeout: 20_000 }, async () => {
    const node = app('dlqage', { deadLetterTtl: 300 });
    node.app.task({ name: 'dlq.noop' }, () => undefined);
    await admin.rpush(node.store.inboxKey('default'), '{not json');
    await node.store.reserve({ queues: ['default'], tasks: ['dlq.noop'], max: 1, waitMs: 0 });
    await until(async () => (await node.app.deadLetters.list()).letters.length === 1, 5_000, 'the letter');
    await new Promise((r) => setTimeout(r, 400));
    expect((await node.app.deadLetters.list()).letters).toEqual([]);
    expect(await admin.hlen(`{${node.prefix}}:body`)).toBe(0);
  });

  it('is bounded by count, lists in pages and purges', { timeout: 20_000 }, async () => {
    const node = app('dlqbound', { deadLetterLimit: 3 });
    node.app.task({ name: 'dlq.noop' }, () => undefined);
    for (let i = 0; i < 5; i++) await admin.rpush(node.store.inboxKey('default'), `{not json ${i}`);
    await node.store.reserve({ queues: ['default'], tasks: ['dlq.noop'], max: 1, waitMs: 0 });
    await until(async () => (await node.app.deadLetters.list()).letters.length === 3, 5_000, 'three letters');
    const page = await node.app.deadLetters.list({ limit: 2 });
    expect(page.next).toBe(2);
    const all = [...page.letters, ...(await node.app.deadLetters.list({ offset: 2 })).letters];
    expect(all.map((d) => d.raw).sort()).toEqual(['{not json 2', '{not json 3', '{not json 4']);
    expect(await node.app.deadLetters.purge()).toBe(3);
    expect(await admin.hlen(`{${node.prefix}}:body`)).toBe(0); // nothing left behind
  });
});

describe('inbox messages on Redis', () => {
  it('a foreign message reusing a pending task id is dead-lettered, and the task runs with its own arguments', { timeout: 20_000 }, async () => {
    const node = app('hijack');
    const seen: string[][] = [];
    const work = node.app.task({ name: 'inbox.work' }, (...args: string[]) => {
      seen.push(args);
      return args.join();
    });
    const original = await work.applyAsync(['original']);
    const forged = { id: original.id, task: 'inbox.work', args: ['hijacked'], queue: 'default', priority: 0, attempt: 1, createdAt: Date.now() };
    await admin.rpush(node.store.inboxKey('default'), JSON.stringify(forged), JSON.stringify({ ...forged, id: 'bad id!' }));
    await node.app.worker({ pollInterval: 50 }).start();
    expect(await original.get({ timeout: 5_000 })).toBe('original');
    await until(async () => (await node.app.deadLetters.list()).letters.length === 2, 5_000, 'two letters');
    const reasons = (await node.app.deadLetters.list()).letters.map((d) => d.reason).sort();
    expect(reasons).toEqual([expect.stringMatching(/^field "id" must match/), expect.stringMatching(/already in use/)]);
    expect(seen).toEqual([['original']]);
  });
});
