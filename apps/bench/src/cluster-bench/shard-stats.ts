import { Redis } from 'ioredis';

/** What one master has done so far: commands run (scripts' own included) and CPU seconds. */
export interface ShardCounters {
  readonly commands: number;
  readonly cpuSeconds: number;
  /** Calls per command name (BENCH_DETAIL=1 prints them). */
  readonly calls: ReadonlyMap<string, number>;
}

/** Commands the bench itself or the cluster client sends to watch or route, not part of the tasks' work. */
const NOT_TASK_WORK = new Set(['info', 'cluster', 'ping', 'client', 'command', 'select', 'hello', 'readonly', 'config']);

/**
 * `INFO commandstats` and `INFO cpu` of one master. Redis counts the commands a Lua script runs
 * (`redis.call`) in commandstats beside the EVALSHA itself, so the count is the work done, not the
 * round trips. CPU is the process's user + system time.
 */
export async function shardCounters(address: string): Promise<ShardCounters> {
  const [host, port] = address.split(':');
  const node = new Redis(Number(port), host as string, { lazyConnect: true, enableOfflineQueue: true });
  try {
    const [commandstats, cpu] = await Promise.all([node.info('commandstats'), node.info('cpu')]);
    let commands = 0;
    const calls = new Map<string, number>();
    for (const match of commandstats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      calls.set(match[1] as string, Number(match[2]));
      if (!NOT_TASK_WORK.has((match[1] as string).split('|')[0] as string)) commands += Number(match[2]);
    }
    const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(cpu)?.[1] ?? Number.NaN);
    return { commands, cpuSeconds: field('used_cpu_user') + field('used_cpu_sys'), calls };
  } finally {
    node.disconnect();
  }
}

/** Counters of several masters at once. */
export async function countersOf(masters: readonly string[]): Promise<Map<string, ShardCounters>> {
  const all = await Promise.all(masters.map(async (m) => [m, await shardCounters(m)] as const));
  return new Map(all);
}

/** What one master did per task between two readings. */
export interface ShardWork {
  commands: number;
  cpuMicros: number;
  /** Calls per task of each command that ran. */
  calls: Map<string, number>;
}

/** Per master: what it did between two readings, per task. */
export function perTask(before: Map<string, ShardCounters>, after: Map<string, ShardCounters>, tasks: number): Map<string, ShardWork> {
  const out = new Map<string, ShardWork>();
  for (const [master, end] of after) {
    const start = before.get(master) ?? { commands: 0, cpuSeconds: 0, calls: new Map<string, number>() };
    const calls = new Map<string, number>();
    for (const [name, n] of end.calls) if (n > (start.calls.get(name) ?? 0)) calls.set(name, (n - (start.calls.get(name) ?? 0)) / tasks);
    out.set(master, { commands: (end.commands - start.commands) / tasks, cpuMicros: ((end.cpuSeconds - start.cpuSeconds) * 1e6) / tasks, calls });
  }
  return out;
}
