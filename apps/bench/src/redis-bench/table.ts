import { PEER_NAMES, type PeerName } from './peer.js';
import type { Ratio, Result, Verdict } from './runner.js';
import type { Figure, ScenarioName } from './scenarios.js';

interface Row {
  label: string;
  scenario: ScenarioName;
  figure: Figure;
  format(x: number): string;
}

const jobs = (x: number) => Math.round(x).toLocaleString('en-US');
const ms = (x: number) => x.toFixed(2);
const bytes = (x: number) => Math.round(x).toLocaleString('en-US');

const ROWS: readonly Row[] = [
  { label: 'enqueue (jobs/s)', scenario: 'enqueue', figure: 'jobsPerSecond', format: jobs },
  { label: 'process-c1 (jobs/s)', scenario: 'process-c1', figure: 'jobsPerSecond', format: jobs },
  { label: 'process-c10 (jobs/s)', scenario: 'process-c10', figure: 'jobsPerSecond', format: jobs },
  { label: 'process-c100 (jobs/s)', scenario: 'process-c100', figure: 'jobsPerSecond', format: jobs },
  { label: 'latency p50 (ms)', scenario: 'latency', figure: 'p50', format: ms },
  { label: 'latency p95 (ms)', scenario: 'latency', figure: 'p95', format: ms },
  { label: 'latency p99 (ms)', scenario: 'latency', figure: 'p99', format: ms },
  { label: '1 KB in and out, c=100 (jobs/s)', scenario: 'process-1kb-c100', figure: 'jobsPerSecond', format: jobs },
  ...([2000, 8000, 15000] as const).flatMap((rate) => [
    { label: `steady ${rate}/s p50 (ms)`, scenario: `steady-${rate}` as const, figure: 'p50' as const, format: ms },
    { label: `steady ${rate}/s p99 (ms)`, scenario: `steady-${rate}` as const, figure: 'p99' as const, format: ms },
    { label: `steady ${rate}/s achieved (jobs/s)`, scenario: `steady-${rate}` as const, figure: 'jobsPerSecond' as const, format: jobs },
  ]),
  { label: 'one at a time p50 (ms)', scenario: 'one-at-a-time', figure: 'p50', format: ms },
  { label: 'one at a time p99 (ms)', scenario: 'one-at-a-time', figure: 'p99', format: ms },
  { label: '10 progress updates followed, c=50 (jobs/s)', scenario: 'progress-c50', figure: 'jobsPerSecond', format: jobs },
  { label: 'Redis bytes per waiting no-op task', scenario: 'memory-waiting-noop', figure: 'bytesPerTask', format: bytes },
  { label: 'Redis bytes per waiting 1 KB task', scenario: 'memory-waiting-1kb', figure: 'bytesPerTask', format: bytes },
  { label: 'Redis bytes per finished task (default retention)', scenario: 'memory-finished', figure: 'bytesPerTask', format: bytes },
];

/** Each scenario (rows) and peer (columns) as `median (min–max)` over the rounds, as a Markdown table. */
export function formatTable(results: readonly Result[]): string {
  const peers = PEER_NAMES.filter((p) => results.some((r) => r.peer === p));
  const cell = (row: Row, peer: PeerName) => {
    const result = results.find((r) => r.scenario === row.scenario && r.peer === peer);
    const s = result?.figures[row.figure];
    return s === undefined ? '–' : `${row.format(s.median)} (${row.format(s.min)}–${row.format(s.max)})`;
  };
  const header = ['scenario', ...peers];
  const body = ROWS.filter((row) => results.some((r) => r.scenario === row.scenario)).map((row) => [row.label, ...peers.map((p) => cell(row, p))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((line) => (line[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 2)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

/** The machine-readable lines: `ratio <scenario> celeriac/<peer> <x.xx>`. */
export function formatRatios(list: readonly Ratio[]): string {
  return list.map((r) => `ratio ${r.label} celeriac/${r.peer} ${r.value.toFixed(2)}`).join('\n');
}

/** One line per target (issues 3 and 30), judged from the medians against the best peer. */
export function formatVerdicts(list: readonly Verdict[]): string {
  return list
    .map((v) => `target ${v.label}: celeriac/best peer ≥ ${v.target.toFixed(2)}; ${v.bestPeer.value.toFixed(2)} against ${v.bestPeer.peer}: ${v.met ? 'met' : 'missed'}`)
    .join('\n');
}
