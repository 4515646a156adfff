import { percentile } from '../stats.js';
import type { Peer } from './peer.js';

export const SCENARIO_NAMES = ['enqueue', 'process-c1', 'process-c10', 'process-c100', 'latency'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export const FIGURES = ['jobsPerSecond', 'p50', 'p95', 'p99'] as const;
export type Figure = (typeof FIGURES)[number];

/** One run's figures: `jobsPerSecond` for a throughput scenario; `p50`, `p95`, `p99` (ms) for latency. */
export type Measurement = Partial<Record<Figure, number>>;

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
  /** The figure compared across peers: its medians give the ratios. */
  readonly headline: Figure;
  /** Whether a higher headline figure is better (throughput) rather than a lower one (latency). */
  readonly higherIsBetter: boolean;
  /** The least ratio against the best peer that meets the target of issue 3, if the scenario has one. */
  readonly target?: number;
}

function throughput(name: ScenarioName, run: (peer: Peer, n: number) => Promise<number>, target?: number): Scenario {
  return {
    name,
    async run(peer, sizes, warmup) {
      const n = warmup ? sizes.warmup : sizes.tasks;
      return { jobsPerSecond: n / (await run(peer, n)) };
    },
    headline: 'jobsPerSecond',
    higherIsBetter: true,
    ...(target === undefined ? {} : { target }),
  };
}

export const SCENARIOS: readonly Scenario[] = [
  throughput('enqueue', (peer, n) => peer.enqueueBulk(n), 1),
  throughput('process-c1', (peer, n) => peer.process(n, 1)),
  throughput('process-c10', (peer, n) => peer.process(n, 10)),
  throughput('process-c100', (peer, n) => peer.process(n, 100), 2),
  {
    name: 'latency',
    async run(peer, sizes, warmup) {
      const samples = await peer.latency(warmup ? sizes.warmup : sizes.roundTrips);
      return { p50: percentile(samples, 50), p95: percentile(samples, 95), p99: percentile(samples, 99) };
    },
    headline: 'p50',
    higherIsBetter: false,
    target: 1,
  },
];

/** Celeriac's figure over the peer's, oriented so that above 1 means Celeriac is better. */
export function orientedRatio(scenario: Scenario, celeriac: number, peer: number): number {
  return scenario.higherIsBetter ? celeriac / peer : peer / celeriac;
}
