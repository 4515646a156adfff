/**
 * Where the time of a Redis scenario goes, per task: the redis-server's CPU (INFO cpu) against
 * this Node process's CPU (process.cpuUsage), and the server's costliest commands (INFO
 * commandstats), for each library. Not a benchmark to compare figures with (one run each, no
 * warm-up rounds): a profile to aim the next change at. `pnpm bench:probe [scenario] [tasks]`,
 * scenario one of enqueue, process-c1, process-c10, process-c100, latency.
 */
import { Redis } from 'ioredis';
import type { Peer } from './redis-bench/peer.js';
import { BeeQueuePeer } from './redis-bench/peers/bee-queue.js';
import { BullmqPeer } from './redis-bench/peers/bullmq.js';
import { CeleriacPeer } from './redis-bench/peers/celeriac.js';
import { openBenchRedis } from './redis-bench/server.js';

const SCENARIOS = ['enqueue', 'process-c1', 'process-c10', 'process-c100', 'latency'] as const;
type Scenario = (typeof SCENARIOS)[number];

function parseScenario(value: string | undefined): Scenario {
  const scenario = (value ?? 'process-c100') as Scenario;
  if (!SCENARIOS.includes(scenario)) throw new Error(`scenario must be one of ${SCENARIOS.join(', ')}, got ${String(value)}`);
  return scenario;
}

async function serverCpuMicros(admin: Redis): Promise<number> {
  const info = await admin.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 'NaN');
  return (field('used_cpu_sys') + field('used_cpu_user')) * 1e6;
}

async function commandStats(admin: Redis): Promise<Map<string, { calls: number; usec: number }>> {
  const stats = new Map<string, { calls: number; usec: number }>();
  for (const line of (await admin.info('commandstats')).split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line);
    if (match) stats.set(match[1] as string, { calls: Number(match[2]), usec: Number(match[3]) });
  }
  return stats;
}

async function run(peer: Peer, scenario: Scenario, tasks: number): Promise<void> {
  if (scenario === 'enqueue') await peer.enqueueBulk(tasks, 'noop');
  else if (scenario === 'latency') await peer.latency(tasks);
  else await peer.process(tasks, Number(scenario.slice('process-c'.length)), 'noop');
}

async function main(): Promise<void> {
  const scenario = parseScenario(process.argv[2]);
  const tasks = Number(process.argv[3] ?? (scenario === 'latency' || scenario === 'process-c1' ? 2000 : 20000));
  if (!Number.isSafeInteger(tasks) || tasks < 1) throw new Error(`tasks must be a positive integer, got ${String(process.argv[3])}`);
  const redis = await openBenchRedis(process.env);
  const admin = new Redis({ host: redis.host, port: redis.port });
  try {
    const peers: Peer[] = [new CeleriacPeer(redis), new BullmqPeer(redis), new BeeQueuePeer(redis)];
    console.log(`${scenario}, ${tasks} tasks, per task:`);
    for (const peer of peers) {
      await run(peer, scenario, Math.min(1000, tasks)); // warm-up
      await redis.flush();
      await admin.config('RESETSTAT');
      const server0 = await serverCpuMicros(admin);
      const node0 = process.cpuUsage();
      const wall0 = process.hrtime.bigint();
      await run(peer, scenario, tasks);
      const wall = Number(process.hrtime.bigint() - wall0) / 1e3;
      const node = process.cpuUsage(node0);
      const server = (await serverCpuMicros(admin)) - server0;
      const top = [...(await commandStats(admin)).entries()]
        .sort((a, b) => b[1].usec - a[1].usec)
        .slice(0, 6)
        .map(([name, s]) => `${name} ${(s.calls / tasks).toFixed(2)}×${(s.usec / Math.max(1, s.calls)).toFixed(1)}µs`);
      const per = (micros: number) => (micros / tasks).toFixed(1).padStart(6);
      console.log(`  ${peer.name.padEnd(9)} wall ${per(wall)} µs | redis cpu ${per(server)} µs | node cpu ${per(node.user + node.system)} µs | ${top.join(', ')}`);
      await peer.close();
    }
  } finally {
    admin.disconnect();
    await redis.close();
  }
}

await main();
