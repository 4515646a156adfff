import type { Celeriac, TaskTracing } from '@celeriac/core';
/** A positive whole number from the environment (`fallback` when unset), or an error naming the variable. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

/** BENCH_EVENTS=1: Celeriac apps append every event to the queue-wide event stream (`events: true`), to measure its cost. */
export const STREAM_EVENTS = process.env.BENCH_EVENTS === '1';

/**
 * BENCH_TRACING=1: Celeriac apps trace with `openTelemetry()` (no SDK registered: the cost an app
 * pays for the instrumentation alone); BENCH_METRICS=1: they count `celeriacMetrics(app)`.
 */
export async function observe(app: Celeriac): Promise<void> {
  if (process.env.BENCH_METRICS === '1') (await import('@celeriac/prometheus')).celeriacMetrics(app);
}

export async function tracing(): Promise<{ tracing?: TaskTracing }> {
  return process.env.BENCH_TRACING === '1' ? { tracing: (await import('@celeriac/opentelemetry')).openTelemetry() } : {};
}
