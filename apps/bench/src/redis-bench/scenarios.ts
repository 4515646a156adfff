import type { Peer } from './peer.js';

export const SCENARIO_NAMES = ['enqueue', 'process-c1', 'process-c10', 'process-c100', 'latency'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export type Measurement = { kind: 'throughput'; jobsPerSecond: number } | { kind: 'latency'; p50: number; p95: number; p99: number };

export interface Sizes {
  /** Tasks per enqueue and processing run. */
  tasks: number;
  /** Round trips per latency run. */
  roundTrips: number;
  /** Tasks (or round trips) of the untimed warm-up run before each scenario. */
  warmup: number;
}

export interface Scenario {
  readonly name: ScenarioName;
  /** One run on a clean Redis; `warmup` selects the small untimed size. */
  run(peer: Peer, sizes: Sizes, warmup: boolean): Promise<Measurement>;
  /** Whether `a` is better than `b`, to keep the best of the rounds. */
  better(a: Measurement, b: Measurement): boolean;
  /** Celeriac's figure over the peer's, oriented so that above 1 means Celeriac is better. */
  ratio(celeriac: Measurement, peer: Measurement): number;
}

function throughput(name: ScenarioName, run: (peer: Peer, n: number) => Promise<number>): Scenario {
  const value = (m: Measurement) => (m.kind === 'throughput' ? m.jobsPerSecond : Number.NaN);
  return {
    name,
    async run(peer, sizes, warmup) {
      const n = warmup ? sizes.warmup : sizes.tasks;
      return { kind: 'throughput', jobsPerSecond: n / (await run(peer, n)) };
    },
    better: (a, b) => value(a) > value(b),
    ratio: (celeriac, peer) => value(celeriac) / value(peer),
  };
}

const p50 = (m: Measurement) => (m.kind === 'latency' ? m.p50 : Number.NaN);

export const SCENARIOS: readonly Scenario[] = [
  throughput('enqueue', (peer, n) => peer.enqueueBulk(n)),
  throughput('process-c1', (peer, n) => peer.process(n, 1)),
  throughput('process-c10', (peer, n) => peer.process(n, 10)),
  throughput('process-c100', (peer, n) => peer.process(n, 100)),
  {
    name: 'latency',
    async run(peer, sizes, warmup) {
      const samples = await peer.latency(warmup ? sizes.warmup : sizes.roundTrips);
      return { kind: 'latency', p50: percentile(samples, 50), p95: percentile(samples, 95), p99: percentile(samples, 99) };
    },
    // The round with the lowest median is kept whole (its p95 and p99 come along).
    better: (a, b) => p50(a) < p50(b),
    ratio: (celeriac, peer) => p50(peer) / p50(celeriac),
  },
];

/** Nearest-rank percentile. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}
