/**
 * No-op tasks per second end to end — delay() until wait() sees SUCCESS — through the in-memory
 * store, at concurrency 1 and 100, in two shapes:
 * - steady: producers keep 1,000 tasks in flight (a web app enqueueing as requests come);
 * - burst: every task is enqueued at once, then all are awaited (100k promises alive at once,
 *   so the garbage collector dominates).
 * Each configuration runs in its own child process (see runInChild), measured BENCH_ROUNDS (3)
 * times after a warm-up; the median of the rounds is reported with their min–max.
 * Prints a table, then one line per concurrency (the steady figure's median):
 *   memory c=<concurrency> <tasks per second>
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Celeriac } from '@celeriac/core';
import { MemoryStore } from '@celeriac/memory';
import { type Spread, spread } from './stats.js';
import { STREAM_EVENTS, envInt, observe, tracing } from './env.js';

const TASKS = envInt('BENCH_TASKS', 100_000);
const ROUNDS = envInt('BENCH_ROUNDS', 3);
const IN_FLIGHT = 1_000;

type Shape = 'steady' | 'burst';

async function run(concurrency: number, shape: Shape, tasks: number): Promise<number> {
  const app = new Celeriac({ store: new MemoryStore(), events: STREAM_EVENTS, ...(await tracing()) });
  await observe(app);
  const noop = app.task({ name: 'bench.noop' }, () => null);
  await app.worker({ concurrency }).start();
  const started = process.hrtime.bigint();
  if (shape === 'burst') {
    const waits: Promise<unknown>[] = new Array(tasks);
    for (let i = 0; i < tasks; i++) waits[i] = noop.delay().then((r) => r.wait());
    await Promise.all(waits);
  } else {
    let issued = 0;
    const producer = async () => {
      while (issued < tasks) {
        issued++;
        await (await noop.delay()).wait();
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, producer));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await app.close();
  return tasks / seconds;
}

/**
 * Each configuration runs in a child process of its own: a run leaves JIT feedback and a heap
 * tuned to its shape behind, and a c=100 run after three c=1 runs measured up to a third slower
 * than the same run alone. A worker process runs one configuration, so that is what is measured.
 */
function runInChild(concurrency: number, shape: Shape): number[] {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', String(concurrency), shape], { encoding: 'utf8', env: process.env });
  if (child.status !== 0) throw new Error(`memory-bench child c=${concurrency} ${shape} failed:\n${child.stderr}`);
  return JSON.parse(child.stdout) as number[];
}

if (process.argv[2] === '--child') {
  const concurrency = Number(process.argv[3]);
  const shape = process.argv[4] as Shape;
  await run(concurrency, shape, Math.min(TASKS, 10_000)); // warm-up: JIT and allocator
  const runs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) runs.push(await run(concurrency, shape, TASKS));
  process.stdout.write(JSON.stringify(runs));
} else {
  const rows: { concurrency: number; shape: Shape; stats: Spread; runs: number[] }[] = [];
  for (const concurrency of [1, 100]) {
    for (const shape of ['steady', 'burst'] as const) {
      const runs = runInChild(concurrency, shape);
      rows.push({ concurrency, shape, stats: spread(runs), runs });
    }
  }

  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(
    `Celeriac memory store: ${fmt(TASKS)} no-op tasks per run, delay() → SUCCESS, median (min–max) of ${ROUNDS} rounds, one process per configuration (Node ${process.version})`,
  );
  console.log('concurrency | shape  | tasks/s (median) | min–max | all runs');
  for (const r of rows) {
    const range = `${fmt(r.stats.min)}–${fmt(r.stats.max)}`;
    console.log(`${String(r.concurrency).padStart(11)} | ${r.shape.padEnd(6)} | ${fmt(r.stats.median).padStart(16)} | ${range} | ${r.runs.map(fmt).join(', ')}`);
  }
  for (const r of rows.filter((row) => row.shape === 'steady')) console.log(`memory c=${r.concurrency} ${Math.round(r.stats.median)}`);
}
