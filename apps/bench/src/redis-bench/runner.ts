import { type Spread, spread } from '../stats.js';
import { PEER_NAMES, type Peer, type PeerName } from './peer.js';
import { FIGURES, type Figure, type Measurement, type RunEnv, type Scenario, type ScenarioName, type Sizes, orientedRatio } from './scenarios.js';

export interface RunnerOptions {
  peers: readonly Peer[];
  scenarios: readonly Scenario[];
  sizes: Sizes;
  target: RunEnv['target'];
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
  /** Each figure the scenario measures, as the median and min–max of the rounds. */
  figures: Partial<Record<Figure, Spread>>;
  runs: Measurement[];
}

export interface Ratio {
  scenario: ScenarioName;
  /** `<scenario>` or, for a scenario with several headline figures, `<scenario>.<figure>`. */
  label: string;
  peer: Exclude<PeerName, 'celeriac'>;
  /** From the medians of the scenario's headline figure. */
  value: number;
}

/** A scenario's target checked against its lowest ratio, that is against the best peer. */
export interface Verdict {
  label: string;
  target: number;
  bestPeer: Ratio;
  met: boolean;
}

/**
 * Per scenario: one untimed warm-up run per peer, then `rounds` rounds that each run every peer
 * once (interleaved, so a noisy moment on a shared machine does not hit one peer's runs only),
 * keeping each peer's median per figure, with the spread of the rounds.
 */
export async function runAll(options: RunnerOptions): Promise<Result[]> {
  const { peers, sizes, target, rounds, flush, log, step } = options;
  const results: Result[] = [];
  for (const scenario of options.scenarios) {
    for (const peer of peers) {
      step(`${scenario.name} ${peer.name} warm-up`);
      await flush();
      await scenario.run(peer, { sizes, warmup: true, target });
    }
    const runs = new Map<PeerName, Measurement[]>(peers.map((p) => [p.name, []]));
    for (let round = 1; round <= rounds; round++) {
      for (const peer of peers) {
        step(`${scenario.name} ${peer.name} round ${round}/${rounds}`);
        await flush();
        const measurement = await scenario.run(peer, { sizes, warmup: false, target });
        runs.get(peer.name)?.push(measurement);
        log(`${scenario.name.padEnd(19)} ${peer.name.padEnd(9)} round ${round}/${rounds}: ${describe(measurement)}`);
      }
    }
    for (const peer of peers) {
      const list = runs.get(peer.name) ?? [];
      results.push({ scenario: scenario.name, peer: peer.name, figures: summarize(list), runs: list });
    }
  }
  await flush();
  return results;
}

function summarize(runs: readonly Measurement[]): Partial<Record<Figure, Spread>> {
  const figures: Partial<Record<Figure, Spread>> = {};
  for (const figure of FIGURES) {
    const values = runs.flatMap((m) => (m[figure] === undefined ? [] : [m[figure]]));
    if (values.length > 0) figures[figure] = spread(values);
  }
  return figures;
}

/** One ratio per scenario, headline figure and peer other than Celeriac, in scenario then peer order. */
export function ratios(results: readonly Result[], scenarios: readonly Scenario[]): Ratio[] {
  const out: Ratio[] = [];
  for (const scenario of scenarios) {
    const celeriac = results.find((r) => r.scenario === scenario.name && r.peer === 'celeriac');
    for (const figure of scenario.headlines) {
      const label = scenario.headlines.length > 1 ? `${scenario.name}.${figure}` : scenario.name;
      for (const peer of PEER_NAMES) {
        if (peer === 'celeriac') continue;
        const other = results.find((r) => r.scenario === scenario.name && r.peer === peer);
        const ours = celeriac?.figures[figure];
        const theirs = other?.figures[figure];
        if (ours === undefined || theirs === undefined) continue;
        out.push({ scenario: scenario.name, label, peer, value: orientedRatio(scenario, ours.median, theirs.median) });
      }
    }
  }
  return out;
}

/** Per headline figure of a scenario with a target: met when even the ratio against the best peer reaches it. */
export function verdicts(list: readonly Ratio[], scenarios: readonly Scenario[]): Verdict[] {
  const out: Verdict[] = [];
  for (const scenario of scenarios) {
    if (scenario.target === undefined) continue;
    const labels = [...new Set(list.filter((r) => r.scenario === scenario.name).map((r) => r.label))];
    for (const label of labels) {
      const bestPeer = list.filter((r) => r.label === label).reduce<Ratio | undefined>((a, b) => (a === undefined || b.value < a.value ? b : a), undefined);
      if (bestPeer !== undefined) out.push({ label, target: scenario.target, bestPeer, met: bestPeer.value >= scenario.target });
    }
  }
  return out;
}

export function describe(m: Measurement): string {
  const parts: string[] = [];
  if (m.jobsPerSecond !== undefined) parts.push(`${Math.round(m.jobsPerSecond).toLocaleString('en-US')} jobs/s`);
  if (m.p50 !== undefined) parts.push(`p50 ${m.p50.toFixed(2)} ms, p95 ${m.p95?.toFixed(2)} ms, p99 ${m.p99?.toFixed(2)} ms`);
  if (m.bytesPerTask !== undefined) parts.push(`${Math.round(m.bytesPerTask)} B/task`);
  return parts.join(', ');
}
