/**
 * No-op tasks per second end to end (delay() → SUCCESS seen by wait()) through the in-memory
 * broker, at concurrency 1 and 100. Prints a table, then one line per concurrency:
 *   memory c=<concurrency> <tasks per second>
 */
import { Celeriac } from '@celeriac/core';
import { MemoryBackend, MemoryBroker } from '@celeriac/memory';

const TASKS = Number(process.env.BENCH_TASKS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function run(concurrency: number, tasks: number): Promise<number> {
  const app = new Celeriac({ broker: new MemoryBroker(), backend: new MemoryBackend() });
  const noop = app.task({ name: 'bench.noop' }, () => null);
  const worker = app.worker({ concurrency });
  await worker.start();
  const started = process.hrtime.bigint();
  const waits: Promise<unknown>[] = new Array(tasks);
  for (let i = 0; i < tasks; i++) waits[i] = noop.delay().then((r) => r.wait());
  await Promise.all(waits);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await app.close();
  return tasks / seconds;
}

const results: { concurrency: number; best: number; runs: number[] }[] = [];
for (const concurrency of [1, 100]) {
  await run(concurrency, Math.min(TASKS, 10_000)); // warm-up: JIT and allocator
  const runs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) runs.push(await run(concurrency, TASKS));
  results.push({ concurrency, best: Math.max(...runs), runs });
}

console.log(`Celeriac memory broker, ${TASKS} no-op tasks per run, best of ${ROUNDS} (Node ${process.version})`);
console.log('concurrency | tasks/s (best) | all runs');
for (const r of results) console.log(`${String(r.concurrency).padStart(11)} | ${Math.round(r.best).toLocaleString('en-US').padStart(14)} | ${r.runs.map((x) => Math.round(x)).join(', ')}`);
for (const r of results) console.log(`memory c=${r.concurrency} ${Math.round(r.best)}`);
