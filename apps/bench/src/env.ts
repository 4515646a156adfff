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
