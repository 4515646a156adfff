/**
 * `pnpm bench:cluster [tasks] [rounds]`: one queue on one shard of a Redis Cluster, and the same
 * queue spread over 3 partitions on its 3 masters (`partitions: 3`). The scenario is bench's
 * processing one: `tasks` no-op tasks enqueued, then run by one worker at concurrency 100 in this
 * process. Per master it prints the Redis commands (those Lua scripts run included) and CPU time
 * per task, from INFO commandstats and INFO cpu read before the enqueue and after the last task,
 * and end-to-end jobs/s of the processing; medians of `rounds` interleaved rounds. The cluster
 * (3 masters, no replicas, so no replication traffic in the figures) is started here on free
 * loopback ports. The bar (issue 29): with 3 partitions each master does at most 40 % of the
 * single shard's work per task, and the CPU per task summed over the masters is at most 1.2 times
 * the single shard's. See docs/redis-cluster.md.
 */
import { loadavg } from 'node:os';
import { Celeriac, consoleLogger } from '@celeriac/core';
import { createRedisStore, partitionPrefixes } from '@celeriac/redis';
import { startRedisCluster } from '@celeriac/test-support';
import { Redis } from 'ioredis';
import { countdown, expectCount, indices, stopwatch } from './redis-bench/peer.js';
import { type ShardWork, countersOf, perTask } from './cluster-bench/shard-stats.js';
import { spread } from './stats.js';

const tasks = positiveInt(process.argv[2] ?? '6000', 'tasks');
const rounds = positiveInt(process.argv[3] ?? '3', 'rounds');
const CONCURRENCY = 100;
const PARTITIONS = 3;

function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
  return n;
}

interface Run {
  jobsPerSecond: number;
  perMaster: Map<string, ShardWork>;
}

const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0 });
const nodes = cluster.nodes.map(({ host, port }) => ({ host, port }));
const masterOf = async (tag: string) => {
  const { master } = await cluster.shardOf(`{${tag}}`);
  return `${master.host}:${master.port}`;
};

try {
  const masters = (await cluster.shards()).map((s) => `${s.master.host}:${s.master.port}`).sort();
  const prefix = 'bench';
  const partitionMasters = await Promise.all(partitionPrefixes(prefix, PARTITIONS).map(masterOf));
  if (new Set(partitionMasters).size !== PARTITIONS) throw new Error(`the ${PARTITIONS} partitions of "${prefix}" share masters: ${partitionMasters.join(', ')}`);
  const home = await masterOf(prefix);

  await runScenario(1, prefix, 500); // warm-up: scripts loaded on every master, code paths taken
  await runScenario(PARTITIONS, prefix, 500);
  const single: Run[] = [];
  const spreadRuns: Run[] = [];
  for (let round = 0; round < rounds; round++) {
    // Interleaved, the order alternating: a drift in the machine's load touches both alike.
    if (round % 2 === 0) {
      single.push(await runScenario(1, prefix, tasks));
      spreadRuns.push(await runScenario(PARTITIONS, prefix, tasks));
    } else {
      spreadRuns.push(await runScenario(PARTITIONS, prefix, tasks));
      single.push(await runScenario(1, prefix, tasks));
    }
  }
  report(masters, home, single, spreadRuns);
} finally {
  await cluster.stop();
}

/** One processing run on a store of `partitions`; every master flushed after it. */
async function runScenario(partitions: number, prefix: string, n: number): Promise<Run> {
  const masters = (await cluster.shards()).map((s) => `${s.master.host}:${s.master.port}`);
  const store = createRedisStore({ connection: { cluster: nodes }, prefix, partitions });
  await store.connect();
  const runs = countdown(n);
  const app = new Celeriac({ store, logger: consoleLogger('error') });
  const noop = app.task({ name: 'bench.noop' }, (_i: number) => {
    runs.tick();
    return null;
  });
  try {
    const before = await countersOf(masters);
    const results = await noop.bulk(indices(n).map((i) => [i] as [number]));
    const worker = app.worker({ concurrency: CONCURRENCY });
    const elapsed = stopwatch();
    await worker.start();
    await runs.done;
    while (worker.activeCount > 0) await new Promise((resolve) => setTimeout(resolve, 1));
    const seconds = elapsed();
    await worker.close();
    const after = await countersOf(masters);
    expectCount('celeriac', 'task runs', runs.count, n);
    const last = await results.at(-1)?.refresh();
    if (last?.state !== 'SUCCESS') throw new Error(`the last task is ${String(last?.state)}, not SUCCESS`);
    return { jobsPerSecond: n / seconds, perMaster: perTask(before, after, n) };
  } finally {
    await app.close();
    await store.close();
    await Promise.all(masters.map(async (address) => {
      const [host, port] = address.split(':');
      const node = new Redis(Number(port), host as string);
      await node.flushall();
      node.disconnect();
    }));
  }
}

function report(masters: readonly string[], home: string, single: readonly Run[], spreadRuns: readonly Run[]): void {
  const median = (runs: readonly Run[], master: string, figure: 'commands' | 'cpuMicros') => spread(runs.map((r) => r.perMaster.get(master)?.[figure] ?? 0)).median;
  const sum = (runs: readonly Run[], figure: 'commands' | 'cpuMicros') => spread(runs.map((r) => [...r.perMaster.values()].reduce((a, m) => a + m[figure], 0))).median;
  const fixed = (x: number, digits = 1) => x.toFixed(digits).padStart(7);
  console.log(`Redis Cluster of 3 masters (no replicas), ${tasks} no-op tasks, one worker at concurrency ${CONCURRENCY}, medians of ${rounds} interleaved rounds`);
  console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on this machine`);
  const singleCommands = sum(single, 'commands');
  const singleCpu = sum(single, 'cpuMicros');
  for (const [label, runs] of [['one shard (partitions: 1)', single], [`${PARTITIONS} partitions`, spreadRuns]] as const) {
    const jobs = spread(runs.map((r) => r.jobsPerSecond));
    console.log(`\n${label}: ${Math.round(jobs.median)} jobs/s (${Math.round(jobs.min)}–${Math.round(jobs.max)})`);
    for (const master of masters) {
      const commands = median(runs, master, 'commands');
      const cpu = median(runs, master, 'cpuMicros');
      const share = `${fixed((100 * commands) / singleCommands, 0)} % / ${fixed((100 * cpu) / singleCpu, 0)} %`;
      console.log(`  master ${master}${master === home ? ' (home)' : '       '}  commands/task ${fixed(commands)}  CPU µs/task ${fixed(cpu)}   of one shard's: ${share}`);
      if (process.env.BENCH_DETAIL === '1') console.log(`    ${[...(runs.at(-1)?.perMaster.get(master)?.calls ?? [])].map(([name, n]) => `${name} ${n.toFixed(3)}`).join(', ')}`);
    }
    console.log(`  all masters                   commands/task ${fixed(sum(runs, 'commands'))}  CPU µs/task ${fixed(sum(runs, 'cpuMicros'))}`);
  }
  const worst = Math.max(...masters.map((m) => Math.max(median(spreadRuns, m, 'commands') / singleCommands, median(spreadRuns, m, 'cpuMicros') / singleCpu)));
  const cpuRatio = sum(spreadRuns, 'cpuMicros') / singleCpu;
  console.log(`\nbar: busiest master ${(100 * worst).toFixed(0)} % of one shard's work per task (≤ 40 %): ${worst <= 0.4 ? 'met' : 'NOT met'}; CPU per task over all masters ${cpuRatio.toFixed(2)}× one shard's (≤ 1.2×): ${cpuRatio <= 1.2 ? 'met' : 'NOT met'}`);
}
