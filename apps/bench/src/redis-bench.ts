/**
 * Celeriac, BullMQ and bee-queue side by side on one redis-server. Two families of scenarios:
 * - in this process: bulk enqueue, draining a backlog at concurrency 1/10/100 (no-op and 1 KB in
 *   and out), and sequential enqueue-to-result latency;
 * - across processes, as deployed (producer, worker and follower each in a process of its own, see
 *   redis-bench/cross-process.ts): steady arrival at 2,000, 8,000 and 15,000 tasks/s with one
 *   worker at c=100 (latency p50/p99 from when each task was due), one task at a time, and tasks
 *   reporting progress 10 times to a follower that must hear every update;
 * and the Redis memory a waiting task (no-op, 1 KB) and a finished one (default retention) costs.
 * Every run starts on an empty Redis; each scenario is warmed up, then measured `BENCH_ROUNDS`
 * times (interleaved across peers), reporting each figure's median over the rounds with its
 * min–max. Progress goes to stderr; stdout gets a table, every round, the targets (issues 3 and
 * 30) judged from the medians, and last one line per scenario (and headline figure) and peer:
 *
 *   ratio <scenario>[.<figure>] celeriac/<peer> <x.xx>      (above 1: Celeriac is better)
 *
 * Environment: REDIS_URL (else a redis-server is spawned), BENCH_TASKS (20000),
 * BENCH_LATENCY_TASKS (2000), BENCH_WARMUP (1000), BENCH_STEADY_SECONDS (4),
 * BENCH_PROGRESS_TASKS (5000), BENCH_ROUNDS (3), BENCH_TIMEOUT_MS (2400000),
 * BENCH_SCENARIOS (comma-separated subset), BENCH_FLUSH=1 (allow flushing a REDIS_URL holding data),
 * BENCH_EVENTS=1 (Celeriac appends every event to the queue-wide event stream).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Peer } from './redis-bench/peer.js';
import { BeeQueuePeer } from './redis-bench/peers/bee-queue.js';
import { BullmqPeer } from './redis-bench/peers/bullmq.js';
import { CeleriacPeer } from './redis-bench/peers/celeriac.js';
import { describe, ratios, runAll, verdicts } from './redis-bench/runner.js';
import { SCENARIOS, SCENARIO_NAMES } from './redis-bench/scenarios.js';
import { type BenchRedis, openBenchRedis } from './redis-bench/server.js';
import { formatRatios, formatTable, formatVerdicts } from './redis-bench/table.js';
import { envInt } from './env.js';

function selectedScenarios() {
  const raw = process.env.BENCH_SCENARIOS;
  if (raw === undefined || raw === '') return SCENARIOS;
  const names = raw.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !(SCENARIO_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`BENCH_SCENARIOS: unknown ${unknown.join(', ')}; known: ${SCENARIO_NAMES.join(', ')}`);
  return SCENARIOS.filter((s) => names.includes(s.name));
}

/** Found by walking up from the package's entry point: not every package exports its package.json. */
function packageVersion(name: string): string {
  for (let url = new URL('.', import.meta.resolve(name)); url.pathname !== '/'; url = new URL('..', url)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name && pkg.version !== undefined) return pkg.version;
    } catch {
      // no package.json at this level
    }
  }
  return 'unknown';
}

const sizes = {
  tasks: envInt('BENCH_TASKS', 20_000),
  roundTrips: envInt('BENCH_LATENCY_TASKS', 2_000),
  warmup: envInt('BENCH_WARMUP', 1_000),
  steadySeconds: envInt('BENCH_STEADY_SECONDS', 4),
  progressTasks: envInt('BENCH_PROGRESS_TASKS', 5_000),
};
const rounds = envInt('BENCH_ROUNDS', 3);
const timeoutMs = envInt('BENCH_TIMEOUT_MS', 40 * 60_000);
const scenarios = selectedScenarios();
if (rounds < 3) console.error(`redis-bench: BENCH_ROUNDS=${rounds}: a median of fewer than 3 rounds says little; fine for a format check`);

let step = 'starting redis-server';
// Bounded in time: a peer that hangs must not hold a CI job forever. Unref'd, so a finished run
// exits without waiting for it.
setTimeout(() => {
  console.error(`redis-bench: aborted after ${timeoutMs / 1000} s (BENCH_TIMEOUT_MS), still at: ${step}`);
  process.exit(124); // test-support's exit hook kills the spawned redis-server
}, timeoutMs).unref();

const log = (line: string) => console.error(line);
let redis: BenchRedis | undefined;
let peers: Peer[] = [];
try {
  redis = await openBenchRedis(process.env);
  const target = redis;
  peers = [new CeleriacPeer(target), new BullmqPeer(target), new BeeQueuePeer(target)];
  log(`redis-bench: redis-server ${target.version} at ${target.url} (${target.origin})`);
  const results = await runAll({ peers, scenarios, sizes, target, rounds, flush: () => target.flush(), log, step: (s) => (step = s) });

  console.log(
    `Celeriac ${packageVersion('@celeriac/redis')} vs BullMQ ${packageVersion('bullmq')} vs bee-queue ${packageVersion('bee-queue')} · redis-server ${target.version} · ` +
      `Node ${process.version} · ${availableParallelism()} CPUs`,
  );
  console.log(
    `${sizes.tasks.toLocaleString('en-US')} no-op tasks per enqueue/process run, ${sizes.roundTrips.toLocaleString('en-US')} sequential round trips per latency run; ` +
      `median (min–max) of ${rounds} interleaved rounds after a warm-up; Redis flushed before every run`,
  );
  console.log('');
  console.log(formatTable(results));
  console.log('');
  console.log('all runs:');
  for (const r of results) console.log(`  ${r.scenario.padEnd(19)} ${r.peer.padEnd(9)} ${r.runs.map(describe).join(' | ')}`);
  const list = ratios(results, scenarios);
  const targets = verdicts(list, scenarios);
  if (targets.length > 0) {
    console.log('');
    console.log(formatVerdicts(targets));
  }
  console.log('');
  console.log(formatRatios(list));
} catch (error) {
  console.error(`redis-bench: failed during ${step}:`, error);
  process.exitCode = 1;
} finally {
  step = 'closing';
  for (const peer of peers) await peer.close();
  await redis?.close();
}
