import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Celeriac } from '@celeriac/core';
import { type CeleryWorker, type NodeProcess, type RedisServer, startCeleryWorker, startNodeProcess, startRedisServer } from '@celeriac/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { celeryRedisStore } from '../src/index.js';

// A Celery worker (acks_late, prefetching, holding ETA tasks in memory) and a Celeriac worker
// process consume one Redis queue; each is killed (SIGKILL) in turn with tasks running, prefetched
// and waiting for their ETA, and comes back as a new process, as a supervisor restarts it.
// kombu's visibility bookkeeping (unacked / unacked_index) brings what the dead one held back;
// the Celeriac worker restores it as kombu does. Every task runs; no ETA task runs twice or early.
// The visibility timeout exceeds the countdowns, as Celery requires (its workers do not renew it).
const VISIBILITY_S = 6;
const COUNTDOWN_MS = 4_000;
const FIXTURE = fileURLToPath(new URL('./fixtures/shared-worker.mjs', import.meta.url));
let server: RedisServer;
let admin: Redis;
let producer: Celeriac;
const pythons: CeleryWorker[] = [];
const nodes: NodeProcess[] = [];

beforeAll(async () => {
  if (!existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)))) throw new Error('packages/celery/dist is missing: run `pnpm build` first');
  server = await startRedisServer();
  admin = new Redis(server.url);
  producer = new Celeriac({ store: celeryRedisStore({ connection: server.url, visibilityTimeout: VISIBILITY_S * 1000 }) });
});

afterAll(async () => {
  await producer?.close();
  await Promise.all([...pythons.map((w) => w.kill()), ...nodes.map((w) => w.kill())]);
  await admin?.quit();
  await server?.stop();
});

const python = async (name: string) => {
  const worker = await startCeleryWorker({ broker: server.url, backend: server.url }, { name, visibilityTimeoutS: VISIBILITY_S, prefetchMultiplier: 2 });
  pythons.push(worker);
  return worker;
};
const node = async (name: string) => {
  const worker = await startNodeProcess(FIXTURE, { redisUrl: server.url, name, visibilityTimeout: VISIBILITY_S * 1000 }, name);
  nodes.push(worker);
  return worker;
};

/** shared:starts / shared:ends entries ("<n> <by> [<ms>]"), as the tasks wrote them. */
const entries = async (list: 'starts' | 'ends') => (await admin.lrange(`shared:${list}`, 0, -1)).map((e) => e.split(' '));
const ended = async (by: string) => (await entries('ends')).some(([, who]) => who === by);
/** Ids of the deliveries in kombu's `unacked` that no Celeriac process holds: a Celery worker's. */
async function heldByCelery(kind: 'eta' | 'plain'): Promise<string[]> {
  const [unacked, leases, parked] = await Promise.all([admin.hgetall('unacked'), admin.hkeys('celeriac.leases'), admin.hkeys('celeriac.parked')]);
  const celeriac = new Set([...leases, ...parked]);
  return Object.entries(unacked)
    .filter(([tag]) => !celeriac.has(tag))
    .map(([, held]) => (JSON.parse(held) as [{ headers: { id: string; eta: string | null } }])[0].headers)
    .filter((headers) => (headers.eta !== null) === (kind === 'eta'))
    .map((headers) => headers.id);
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  for (const start = Date.now(); !(await check()); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() - start > timeoutMs) {
      const logs = [...pythons.map((w) => w.output()), ...nodes.map((w) => w.output())].map((log) => log.slice(-3_000));
      throw new Error(`timed out waiting for ${what}; ends: ${JSON.stringify(await entries('ends'))}\n${logs.join('\n---\n')}`);
    }
  }
}

it('a Celery and a Celeriac worker on one queue, each killed in turn mid-run: every task runs, no ETA task runs twice or early', async () => {
  const work = producer.remote<[n: number, ms: number], { n: number; by: string }>('shared.work', { queue: 'celery' });
  const sent: { n: number; eta?: number; id: string }[] = [];
  /** Plain tasks of 300 ms and ETA tasks of 50 ms, interleaved so both workers take both. */
  const send = async (from: number) => {
    for (let n = from; n < from + 30; n++) {
      const eta = n % 3 === 0 ? Date.now() + COUNTDOWN_MS : undefined;
      const result = eta === undefined ? await work.applyAsync([n, 300]) : await work.applyAsync([n, 50], { eta });
      sent.push({ n, id: result.id, ...(eta === undefined ? {} : { eta }) });
    }
  };
  const etaStarted = async (from: number) => (await entries('starts')).filter(([n]) => Number(n) >= from && sent[Number(n)]?.eta !== undefined);

  // The Celery worker dies holding running, prefetched and ETA tasks.
  const py1 = await python('py-1');
  const node1 = await node('node-1');
  await send(0);
  await until('py-1 and node-1 to finish a task each', async () => (await ended('py-1')) && (await ended('node-1')));
  await py1.kill();
  expect(await heldByCelery('eta')).not.toEqual([]); // it held ETA tasks in memory
  expect(await heldByCelery('plain')).not.toEqual([]); // and running or prefetched ones
  expect(await etaStarted(0)).toEqual([]); // the kill came before any ETA was due
  await python('py-2');

  // Then the Celeriac worker dies holding running tasks and parked ETA tasks.
  await send(30);
  await until('node-1 to park an ETA task of the second batch, and py-2 to finish a task', async () => (await admin.hlen('celeriac.parked')) > 0 && (await ended('py-2')));
  await node1.kill();
  expect(await etaStarted(30)).toEqual([]);
  await node('node-2');

  const values = await Promise.all(sent.map(({ id }) => producer.result<{ n: number; by: string }>(id).get({ timeout: 60_000 })));
  expect(values.map((v) => v.n)).toEqual(sent.map((s) => s.n));
  const starts = await entries('starts');
  for (const { n, eta } of sent) {
    const runs = starts.filter(([m]) => Number(m) === n);
    expect(runs.length, `task ${n} started`).toBeGreaterThanOrEqual(1);
    if (eta === undefined) continue;
    expect(runs.length, `ETA task ${n} started once`).toBe(1);
    // Within the 5 ms a Celeriac reserve delivers rather than parks (the pitfall was 0.9 s early).
    expect(Number(runs[0]?.[2]), `ETA task ${n} not early`).toBeGreaterThanOrEqual(eta - 10);
  }
  // Both sides ran tasks, the new processes too, and nothing is left waiting or held.
  expect(new Set(values.map((v) => v.by))).toEqual(new Set(['py-1', 'py-2', 'node-1', 'node-2']));
  expect(await producer.connect().then((store) => store.size('celery'))).toBe(0);
  await until('every delivery to be acknowledged', async () => (await admin.hlen('unacked')) === 0, 10_000);
}, 120_000);
