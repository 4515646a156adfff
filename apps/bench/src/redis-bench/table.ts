import { PEER_NAMES, type PeerName } from './peer.js';
import type { Ratio, Result } from './runner.js';
import type { Measurement, ScenarioName } from './scenarios.js';

interface Row {
  label: string;
  scenario: ScenarioName;
  value(m: Measurement): number | undefined;
  format(x: number): string;
}

const jobs = (x: number) => Math.round(x).toLocaleString('en-US');
const ms = (x: number) => x.toFixed(2);
const rate = (m: Measurement) => (m.kind === 'throughput' ? m.jobsPerSecond : undefined);

const ROWS: readonly Row[] = [
  { label: 'enqueue (jobs/s)', scenario: 'enqueue', value: rate, format: jobs },
  { label: 'process-c1 (jobs/s)', scenario: 'process-c1', value: rate, format: jobs },
  { label: 'process-c10 (jobs/s)', scenario: 'process-c10', value: rate, format: jobs },
  { label: 'process-c100 (jobs/s)', scenario: 'process-c100', value: rate, format: jobs },
  { label: 'latency p50 (ms)', scenario: 'latency', value: (m) => (m.kind === 'latency' ? m.p50 : undefined), format: ms },
  { label: 'latency p95 (ms)', scenario: 'latency', value: (m) => (m.kind === 'latency' ? m.p95 : undefined), format: ms },
  { label: 'latency p99 (ms)', scenario: 'latency', value: (m) => (m.kind === 'latency' ? m.p99 : undefined), format: ms },
];

/** The best figure of each scenario (rows) and peer (columns), as a Markdown table. */
export function formatTable(results: readonly Result[]): string {
  const peers = PEER_NAMES.filter((p) => results.some((r) => r.peer === p));
  const cell = (row: Row, peer: PeerName) => {
    const result = results.find((r) => r.scenario === row.scenario && r.peer === peer);
    const value = result === undefined ? undefined : row.value(result.best);
    return value === undefined ? '–' : row.format(value);
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
  return list.map((r) => `ratio ${r.scenario} celeriac/${r.peer} ${r.value.toFixed(2)}`).join('\n');
}
