/**
 * Execution pools against BullMQ's sandboxed processors, on one redis-server, in one process:
 * Celeriac's `threads` and `process` pools vs BullMQ with `useWorkerThreads` and with child
 * processes. Two scenarios:
 *
 * - `noop-c8`: BENCH_POOL_TASKS (4000) no-op tasks at concurrency 8: the cost of the hop itself.
 * - `cpu-c2`: BENCH_POOL_CPU_TASKS (600) tasks of ~5 ms of hashing at concurrency 2, against the
 *   machine's limit: the same hashing run directly in 2 threads with no queue (`direct`).
 *
 * Each run starts from an empty Redis with the tasks already waiting and a fresh worker. The rate is
 * taken from the first stored outcome to the last: a warm pool's, the same cut for every peer
 * (Celeriac starts all its runners before the first task, BullMQ starts its children as jobs
 * arrive, so a start-to-end rate would mostly compare start-up). The start-up (worker start to first
 * outcome) is printed beside it. One warm-up round, then BENCH_ROUNDS (3) rounds, interleaved across
 * peers; figures are medians of the rounds with their min–max. Then the median (min–max) of each
 * round's own ratio, steadier when other jobs share the CPUs; last, one line per scenario and peer
 * from the medians:
 *
 *   ratio <scenario> celeriac/<peer> <x.xx>      (above 1: Celeriac is faster)
 *
 * Environment: REDIS_URL (else a redis-server is spawned), BENCH_POOL_TASKS, BENCH_POOL_CPU_TASKS,
 * BENCH_ROUNDS, BENCH_FLUSH=1 (allow flushing a REDIS_URL holding data).
 */
import { availableParallelism } from 'node:os';
import { type PoolRun, type Timing, bullmqRun, celeriacRun, directRun } from './pools-bench/peers.js';
import { calibrate } from './pools-bench/work.js';
import { openBenchRedis } from './redis-bench/server.js';
import { spread } from './stats.js';
import { envInt } from './env.js';

const rounds = envInt('BENCH_ROUNDS', 3);
const noopTasks = envInt('BENCH_POOL_TASKS', 4_000);
const cpuTasks = envInt('BENCH_POOL_CPU_TASKS', 600);
const log = (line: string) => console.error(line);

interface Contender {
  readonly scenario: string;
  readonly peer: string;
  readonly run: () => Promise<Timing>;
  readonly n: number;
  readonly rates: number[];
  readonly startups: number[];
}

const redis = await openBenchRedis(process.env);
try {
  const hashRounds = calibrate(5);
  log(`pools-bench: redis-server ${redis.version} at ${redis.url}; ${hashRounds} SHA-256 rounds ≈ 5 ms`);
  const contenders: Contender[] = [];
  const add = (scenario: string, peer: string, n: number, run: () => Promise<Timing>) => contenders.push({ scenario, peer, n, run, rates: [], startups: [] });
  for (const pool of ['threads', 'process'] as const) {
    const noop: PoolRun = { pool, n: noopTasks, concurrency: 8, rounds: undefined };
    add(`noop-c8-${pool}`, 'celeriac', noopTasks, () => celeriacRun(redis, noop));
    add(`noop-c8-${pool}`, 'bullmq', noopTasks, () => bullmqRun(redis, noop));
    const cpu: PoolRun = { pool, n: cpuTasks, concurrency: 2, rounds: hashRounds };
    add(`cpu-c2-${pool}`, 'celeriac', cpuTasks, () => celeriacRun(redis, cpu));
    add(`cpu-c2-${pool}`, 'bullmq', cpuTasks, () => bullmqRun(redis, cpu));
    add(`cpu-c2-${pool}`, 'direct', cpuTasks, () => directRun(cpuTasks, hashRounds, 2));
  }
  for (let round = 0; round <= rounds; round++) {
    for (const c of contenders) {
      await redis.flush();
      const timing = await c.run();
      // The first outcome starts the clock, so n - 1 tasks are timed (the direct run times all n).
      const rate = (c.peer === 'direct' ? c.n : c.n - 1) / timing.steady;
      log(`  ${round === 0 ? 'warm-up' : `round ${round}`} ${c.scenario} ${c.peer}: ${rate.toFixed(0)} tasks/s, start-up ${(timing.startup * 1000).toFixed(0)} ms`);
      if (round > 0) {
        c.rates.push(rate);
        c.startups.push(timing.startup * 1000);
      }
    }
  }

  console.log(`Celeriac pools vs BullMQ sandboxed processors · redis-server ${redis.version} · Node ${process.version} · ${availableParallelism()} CPUs`);
  console.log(`noop: ${noopTasks} tasks at concurrency 8; cpu: ${cpuTasks} tasks of ~5 ms hashing at concurrency 2; median (min–max) of ${rounds} interleaved rounds after a warm-up`);
  console.log('');
  console.log(`${'scenario'.padEnd(18)} ${'peer'.padEnd(9)} ${'tasks/s (first to last outcome)'.padEnd(32)} start-up to first outcome, ms`);
  for (const c of contenders) {
    const s = spread(c.rates);
    const u = spread(c.startups);
    console.log(`${c.scenario.padEnd(18)} ${c.peer.padEnd(9)} ${`${s.median.toFixed(0)} (${s.min.toFixed(0)}–${s.max.toFixed(0)})`.padEnd(32)} ${u.median.toFixed(0)} (${u.min.toFixed(0)}–${u.max.toFixed(0)})`);
  }
  console.log('');
  const median = (scenario: string, peer: string) => spread(contenders.find((c) => c.scenario === scenario && c.peer === peer)?.rates ?? []).median;
  const scenarios = [...new Set(contenders.map((c) => c.scenario))];
  // The CPUs may be shared (other jobs on the machine): the machine's limit moves from round to
  // round. Each round's peers ran back to back, so the ratio within a round is the steadier figure.
  for (const scenario of scenarios) {
    const celeriac = contenders.find((c) => c.scenario === scenario && c.peer === 'celeriac');
    for (const peer of ['bullmq', 'direct']) {
      const other = contenders.find((c) => c.scenario === scenario && c.peer === peer);
      if (celeriac === undefined || other === undefined) continue;
      const paired = spread(celeriac.rates.map((rate, i) => rate / (other.rates[i] as number)));
      console.log(`within rounds ${scenario} celeriac/${peer} ${paired.median.toFixed(2)} (${paired.min.toFixed(2)}–${paired.max.toFixed(2)})`);
    }
  }
  console.log('');
  for (const scenario of scenarios) {
    for (const peer of ['bullmq', 'direct']) {
      const other = median(scenario, peer);
      if (!Number.isNaN(other)) console.log(`ratio ${scenario} celeriac/${peer} ${(median(scenario, 'celeriac') / other).toFixed(2)}`);
    }
  }
} catch (error) {
  console.error('pools-bench: failed:', error);
  process.exitCode = 1;
} finally {
  await redis.close();
}
