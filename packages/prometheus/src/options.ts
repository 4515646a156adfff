import { optionChecker } from '@celeriac/core/adapter';
import type { Registry } from 'prom-client';

export interface CeleriacMetricsOptions {
  /** Where the metrics are registered. @defaultValue a new `Registry` of its own (so two apps in one process do not clash) */
  registry?: Registry;
  /** Prefix of every metric name. @defaultValue `'celeriac_'` */
  prefix?: string;
  /**
   * How long the queue and worker gauges read from the store are reused, in ms: a burst of scrapes
   * (several Prometheus servers, a dashboard) reads the store once. @defaultValue `5_000`
   */
  cacheMs?: number;
  /** Buckets of the runtime histogram, in seconds. @defaultValue prom-client's defaults (5 ms to 10 s) */
  runtimeBuckets?: number[];
  /** Buckets of the queue-wait histogram, in seconds. @defaultValue 5 ms to 10 minutes */
  waitBuckets?: number[];
}

export const DEFAULT_WAIT_BUCKETS = [0.005, 0.025, 0.1, 0.5, 1, 5, 15, 60, 300, 600];

const KNOWN = new Set(['registry', 'prefix', 'cacheMs', 'runtimeBuckets', 'waitBuckets']);

export function checkMetricsOptions(options: CeleriacMetricsOptions): void {
  const check = optionChecker('celeriacMetrics()');
  if (typeof options !== 'object' || options === null) check.fail('options', 'must be an object');
  check.unknownKeys(options, KNOWN);
  if (options.prefix !== undefined && !(typeof options.prefix === 'string' && /^[a-zA-Z_:][a-zA-Z0-9_:]*$|^$/.test(options.prefix))) {
    check.fail('prefix', `must be a valid Prometheus metric name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*), got ${JSON.stringify(options.prefix)}`);
  }
  if (options.cacheMs !== undefined && !(Number.isInteger(options.cacheMs) && options.cacheMs >= 0)) check.fail('cacheMs', `must be an integer >= 0 (ms), got ${String(options.cacheMs)}`);
  for (const name of ['runtimeBuckets', 'waitBuckets'] as const) {
    const buckets = options[name];
    if (buckets !== undefined && !(Array.isArray(buckets) && buckets.length > 0 && buckets.every((b, i) => Number.isFinite(b) && b > 0 && (i === 0 || b > (buckets[i - 1] as number))))) {
      check.fail(name, 'must be a non-empty array of increasing positive numbers (seconds)');
    }
  }
  if (options.registry !== undefined && typeof (options.registry as { metrics?: unknown }).metrics !== 'function') check.fail('registry', 'must be a prom-client Registry');
}
