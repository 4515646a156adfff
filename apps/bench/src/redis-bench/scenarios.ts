import { percentile } from '../stats.js';
import { followedProgress, oneAtATime, steadyArrival } from './cross-process.js';
import type { PayloadKind } from './payload.js';
import type { Peer, RedisTarget } from './peer.js';

export const SCENARIO_NAMES = [
  'enqueue',
  'process-c1',
  'process-c10',
  'process-c100',
  'latency',
  'process-1kb-c100',
  'steady-2000',
  'steady-8000',
  'steady-15000',
  'one-at-a-time',
  'progress-c50',
  'memory-waiting-noop',
  'memory-waiting-1kb',
  'memory-finished',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export const FIGURES = ['jobsPerSecond', 'p50', 'p95', 'p99', 'bytesPerTask'] as const;
export type Figure = (typeof FIGURES)[number];

/** One run's figures: jobs per second, latency percentiles (ms) or Redis bytes per task. */
export type Measurement = Partial<Record<Figure, number>>;

export interface Sizes {
  /** Tasks per enqueue, processing and memory run. */
  tasks: number;
  /** Round trips per latency and one-at-a-time run. */
  roundTrips: number;
  /** Tasks (or round trips) of the untimed warm-up run before each scenario. */
  warmup: number;
  /** How long tasks keep arriving in a steady-arrival run, in seconds. */
  steadySeconds: number;
  /** Followed tasks per progress run. */
  progressTasks: number;
}

/** What a run gets besides its peer: the sizes, and the Redis server for memory readings. */
export interface RunEnv {
  readonly sizes: Sizes;
  /** The small untimed run before a scenario's rounds. */
  readonly warmup: boolean;
  readonly target: RedisTarget & { usedMemory(): Promise<number> };
}

export interface Scenario {
  readonly name: ScenarioName;
  /** One run on a clean Redis. */
  run(peer: Peer, env: RunEnv): Promise<Measurement>;
  /** The figures compared across peers: their medians give the ratios. */
  readonly headlines: readonly Figure[];
  /** Whether a higher headline figure is better (throughput) rather than a lower one. */
  readonly higherIsBetter: boolean;
  /** The least ratio against the best peer that meets the target (issues 3 and 30), if any. */
  readonly target?: number;
}

function throughput(name: ScenarioName, run: (peer: Peer, n: number) => Promise<number>, target?: number): Scenario {
  return {
    name,
    async run(peer, { sizes, warmup }) {
      const n = warmup ? sizes.warmup : sizes.tasks;
      return { jobsPerSecond: n / (await run(peer, n)) };
    },
    headlines: ['jobsPerSecond'],
    higherIsBetter: true,
    ...(target === undefined ? {} : { target }),
  };
}

function steady(rate: 2000 | 8000 | 15000, target?: number): Scenario {
  return {
    name: `steady-${rate}`,
    run: (peer, { sizes, warmup, target: redis }) => steadyArrival(peer.name, redis, rate, warmup ? 0.5 : sizes.steadySeconds, 'noop'),
    headlines: ['p50', 'p99'],
    higherIsBetter: false,
    ...(target === undefined ? {} : { target }),
  };
}

/** Redis memory per task: `fill` leaves `n` tasks in Redis; bytes used over the empty server's, per task. */
function memory(name: ScenarioName, fill: (peer: Peer, n: number) => Promise<unknown>, target?: number): Scenario {
  return {
    name,
    async run(peer, { sizes, warmup, target: redis }) {
      const n = warmup ? sizes.warmup : sizes.tasks;
      const before = await redis.usedMemory();
      await fill(peer, n);
      return { bytesPerTask: ((await redis.usedMemory()) - before) / n };
    },
    headlines: ['bytesPerTask'],
    higherIsBetter: false,
    ...(target === undefined ? {} : { target }),
  };
}

const waiting = (kind: PayloadKind) => (peer: Peer, n: number) => peer.enqueueBulk(n, kind);

export const SCENARIOS: readonly Scenario[] = [
  throughput('enqueue', (peer, n) => peer.enqueueBulk(n, 'noop'), 1),
  throughput('process-c1', (peer, n) => peer.process(n, 1, 'noop')),
  throughput('process-c10', (peer, n) => peer.process(n, 10, 'noop')),
  throughput('process-c100', (peer, n) => peer.process(n, 100, 'noop'), 2),
  {
    name: 'latency',
    async run(peer, { sizes, warmup }) {
      const samples = await peer.latency(warmup ? sizes.warmup : sizes.roundTrips);
      return { p50: percentile(samples, 50), p95: percentile(samples, 95), p99: percentile(samples, 99) };
    },
    headlines: ['p50'],
    higherIsBetter: false,
    target: 1,
  },
  throughput('process-1kb-c100', (peer, n) => peer.process(n, 100, '1kb'), 2),
  steady(2000, 1),
  steady(8000, 1),
  steady(15000),
  {
    name: 'one-at-a-time',
    run: (peer, { sizes, warmup, target }) => oneAtATime(peer.name, target, warmup ? sizes.warmup : sizes.roundTrips),
    headlines: ['p50'],
    higherIsBetter: false,
    target: 1,
  },
  {
    name: 'progress-c50',
    run: (peer, { sizes, warmup, target }) => followedProgress(peer.name, target, warmup ? Math.min(sizes.warmup, sizes.progressTasks) : sizes.progressTasks),
    headlines: ['jobsPerSecond'],
    higherIsBetter: true,
    target: 1.5,
  },
  memory('memory-waiting-noop', waiting('noop'), 1),
  memory('memory-waiting-1kb', waiting('1kb'), 1),
  memory('memory-finished', (peer, n) => peer.process(n, 100, 'noop')),
];

/** Celeriac's figure over the peer's, oriented so that above 1 means Celeriac is better. */
export function orientedRatio(scenario: Scenario, celeriac: number, peer: number): number {
  return scenario.higherIsBetter ? celeriac / peer : peer / celeriac;
}
