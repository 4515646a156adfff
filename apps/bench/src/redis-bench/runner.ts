import { PEER_NAMES, type Peer, type PeerName } from './peer.js';
import type { Measurement, Scenario, ScenarioName, Sizes } from './scenarios.js';

export interface RunnerOptions {
  peers: readonly Peer[];
  scenarios: readonly Scenario[];
  sizes: Sizes;
  rounds: number;
  /** Empties Redis: called before every run, so each starts clean. */
  flush(): Promise<void>;
  /** Progress lines (stderr). */
  log(line: string): void;
  /** Names what is running now, for the global timeout's message. */
  step(what: string): void;
}

export interface Result {
  scenario: ScenarioName;
  peer: PeerName;
  best: Measurement;
  runs: Measurement[];
}

export interface Ratio {
  scenario: ScenarioName;
  peer: Exclude<PeerName, 'celeriac'>;
  value: number;
}

/**
 * Per scenario: one untimed warm-up run per peer, then `rounds` rounds that each run every peer
 * once (interleaved, so a noisy moment on a shared machine does not hit one peer's runs only),
 * keeping each peer's best.
 */
export async function runAll(options: RunnerOptions): Promise<Result[]> {
  const { peers, sizes, rounds, flush, log, step } = options;
  const results: Result[] = [];
  for (const scenario of options.scenarios) {
    for (const peer of peers) {
      step(`${scenario.name} ${peer.name} warm-up`);
      await flush();
      await scenario.run(peer, sizes, true);
    }
    const runs = new Map<PeerName, Measurement[]>(peers.map((p) => [p.name, []]));
    for (let round = 1; round <= rounds; round++) {
      for (const peer of peers) {
        step(`${scenario.name} ${peer.name} round ${round}/${rounds}`);
        await flush();
        const measurement = await scenario.run(peer, sizes, false);
        runs.get(peer.name)?.push(measurement);
        log(`${scenario.name.padEnd(12)} ${peer.name.padEnd(9)} round ${round}/${rounds}: ${describe(measurement)}`);
      }
    }
    for (const peer of peers) {
      const list = runs.get(peer.name) ?? [];
      const best = list.reduce((a, b) => (scenario.better(b, a) ? b : a));
      results.push({ scenario: scenario.name, peer: peer.name, best, runs: list });
    }
  }
  await flush();
  return results;
}

/** One ratio per scenario and peer other than Celeriac, in scenario then peer order. */
export function ratios(results: readonly Result[], scenarios: readonly Scenario[]): Ratio[] {
  const out: Ratio[] = [];
  for (const scenario of scenarios) {
    const celeriac = results.find((r) => r.scenario === scenario.name && r.peer === 'celeriac');
    for (const peer of PEER_NAMES) {
      if (peer === 'celeriac') continue;
      const other = results.find((r) => r.scenario === scenario.name && r.peer === peer);
      if (celeriac === undefined || other === undefined) continue;
      out.push({ scenario: scenario.name, peer, value: scenario.ratio(celeriac.best, other.best) });
    }
  }
  return out;
}

export function describe(m: Measurement): string {
  return m.kind === 'throughput'
    ? `${Math.round(m.jobsPerSecond).toLocaleString('en-US')} jobs/s`
    : `p50 ${m.p50.toFixed(2)} ms, p95 ${m.p95.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms`;
}
